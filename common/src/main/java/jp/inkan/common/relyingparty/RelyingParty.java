package jp.inkan.common.relyingparty;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import jp.inkan.common.CertificateType;

/**
 * A registered relying party (JPKI 署名検証者 / 利用者証明検証者 / プラットフォーム事業者): who may see
 * the revocation status of which CA. The registry is the compacted topic
 * {@code inkan.relying-parties}, keyed by {@link #id()}; every record carries the party's whole
 * current state, so a consumer keeps only the newest one per key.
 *
 * @param schema                   {@value #SCHEMA}; consumers refuse versions they do not know
 * @param id                       stable key, {@code [a-z0-9][a-z0-9-]{0,62}}
 * @param name                     display name (e.g. the company)
 * @param entitledCas              the CAs whose status (OCSP and CRLs) it may see
 * @param clientCertificateSha256  lower-case hex SHA-256 of the DER of each TLS client certificate it may use
 * @param requestSignerCertificates PEM certificates whose keys may sign its OCSP requests (RFC 6960 §4.1.2)
 * @param requestsPerSecond        token-bucket rate (burst = one second's worth), null for no limit
 * @param revision                 +1 at each change, so replicas can say which version they apply
 */
public record RelyingParty(
        int schema,
        String id,
        String name,
        Kind kind,
        Set<CertificateType> entitledCas,
        List<String> clientCertificateSha256,
        List<String> requestSignerCertificates,
        Integer requestsPerSecond,
        State state,
        long revision) {

    public static final int SCHEMA = 1;
    public static final String TOPIC = "inkan.relying-parties";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public enum Kind {
        /** 署名検証者: verifies signatures made with signature certificates. */
        SIGNATURE_VERIFIER,
        /** 利用者証明検証者: authenticates users by their authentication certificates. */
        AUTHENTICATION_VERIFIER,
        /** プラットフォーム事業者: verifies on behalf of other service providers. */
        PLATFORM_OPERATOR
    }

    public enum State {
        ACTIVE, SUSPENDED
    }

    public RelyingParty {
        entitledCas = entitledCas == null ? Set.of() : Set.copyOf(entitledCas);
        clientCertificateSha256 = clientCertificateSha256 == null ? List.of()
                : clientCertificateSha256.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        requestSignerCertificates = requestSignerCertificates == null ? List.of() : List.copyOf(requestSignerCertificates);
    }

    public boolean active() {
        return state == State.ACTIVE;
    }

    public boolean entitledTo(CertificateType ca) {
        return entitledCas.contains(ca);
    }

    public RelyingParty withState(State newState) {
        return new RelyingParty(schema, id, name, kind, entitledCas, clientCertificateSha256, requestSignerCertificates,
                requestsPerSecond, newState, revision + 1);
    }

    /** Everything wrong with this record, empty when it may be registered. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (schema != SCHEMA) {
            problems.add("schema must be " + SCHEMA);
        }
        if (id == null || !ID.matcher(id).matches()) {
            problems.add("id must match " + ID.pattern());
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            problems.add("name must be 1 to 200 characters");
        }
        if (kind == null) {
            problems.add("kind is required (" + List.of(Kind.values()) + ")");
        }
        if (state == null) {
            problems.add("state is required (" + List.of(State.values()) + ")");
        }
        if (entitledCas.isEmpty()) {
            problems.add("at least one entitled CA is required");
        }
        if (kind == Kind.SIGNATURE_VERIFIER && entitledCas.contains(CertificateType.AUTHENTICATION)) {
            problems.add("a signature verifier is not entitled to the authentication CA");
        }
        if (kind == Kind.AUTHENTICATION_VERIFIER && entitledCas.contains(CertificateType.SIGNATURE)) {
            problems.add("an authentication verifier is not entitled to the signature CA");
        }
        for (String hash : clientCertificateSha256) {
            if (!SHA256_HEX.matcher(hash).matches()) {
                problems.add("client certificate fingerprint is not 64 hex digits: " + hash);
            }
        }
        if (clientCertificateSha256.isEmpty() && requestSignerCertificates.isEmpty()) {
            problems.add("a client certificate or a request signer certificate is required");
        }
        for (String pem : requestSignerCertificates) {
            if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
                problems.add("request signer certificates must be PEM");
            }
        }
        if (requestsPerSecond != null && (requestsPerSecond < 1 || requestsPerSecond > 1_000_000)) {
            problems.add("requestsPerSecond must be 1 to 1000000");
        }
        if (revision < 1) {
            problems.add("revision must be positive");
        }
        return problems;
    }

    /** Lower-case hex SHA-256 of a certificate's DER: how client certificates are registered and matched. */
    public static String fingerprint(byte[] der) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(der));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
