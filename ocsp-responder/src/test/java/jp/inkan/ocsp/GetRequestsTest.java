package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import jp.inkan.ocsp.http.GetRequests;
import org.junit.jupiter.api.Test;

class GetRequestsTest {

    // Chosen so that its base64 holds '+', '/' and padding.
    static final byte[] DER = {0x30, 0x09, 0x00, (byte) 0xfb, (byte) 0xef, (byte) 0xbe, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, 0x01, 0x02};

    @Test
    void everyCommonEncodingDecodesToTheSameBytes() {
        String b64 = Base64.getEncoder().encodeToString(DER);
        assertTrue(b64.contains("+") && b64.contains("/") && b64.endsWith("="), b64);
        String[] forms = {
            b64,
            URLEncoder.encode(b64, StandardCharsets.US_ASCII),
            b64.replace("+", "%2b").replace("/", "%2f").replace("=", "%3d"),
            Base64.getUrlEncoder().encodeToString(DER),
            Base64.getUrlEncoder().withoutPadding().encodeToString(DER),
            Base64.getEncoder().withoutPadding().encodeToString(DER),
            "/" + b64,
        };
        for (String form : forms) {
            assertArrayEquals(DER, GetRequests.decode("/ocsp/" + form, "/ocsp/").orElseThrow(), form);
        }
        assertTrue(GetRequests.decode("/ocsp/", "/ocsp/").isEmpty());
        assertTrue(GetRequests.decode("/ocsp/%zz", "/ocsp/").isEmpty());
        assertTrue(GetRequests.decode("/ocsp/M", "/ocsp/").isEmpty());
        assertTrue(GetRequests.decode("/ocsp/a*b", "/ocsp/").isEmpty());
    }
}
