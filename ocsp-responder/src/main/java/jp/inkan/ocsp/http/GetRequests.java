package jp.inkan.ocsp.http;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.Optional;

/**
 * The DER request in an RFC 5019 / RFC 6960 GET path: {@code /ocsp/<url-encoded base64>}. Clients
 * differ: some percent-encode {@code + / =} (Java), some send them raw (and raw {@code /} splits
 * the path), some use base64url, some drop the padding, and a configured URL with a trailing slash
 * gives {@code /ocsp//<base64>}. All of these decode to the same bytes here.
 */
public final class GetRequests {

    private GetRequests() {
    }

    /** @param rawPath the request path as sent (not decoded), starting with the route prefix */
    public static Optional<byte[]> decode(String rawPath, String prefix) {
        if (!rawPath.startsWith(prefix)) {
            return Optional.empty();
        }
        String encoded = rawPath.substring(prefix.length());
        Optional<String> text = percentDecode(encoded);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String b64 = text.get().replaceAll("\\s", "");
        // Leading slashes: the request appended after a trailing slash. DER starts with 0x30 ("M"),
        // so base64 of a request never starts with "/".
        int start = 0;
        while (start < b64.length() && b64.charAt(start) == '/') {
            start++;
        }
        b64 = b64.substring(start).replace('-', '+').replace('_', '/');
        while (b64.endsWith("=")) {
            b64 = b64.substring(0, b64.length() - 1);
        }
        if (b64.isEmpty() || b64.length() % 4 == 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(b64 + "==".substring(0, (4 - b64.length() % 4) % 4)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Percent-decoding only: unlike form decoding, a raw '+' stays '+'. */
    private static Optional<String> percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7f) {
                return Optional.empty();
            } else {
                out.write(c);
            }
        }
        return Optional.of(out.toString(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
