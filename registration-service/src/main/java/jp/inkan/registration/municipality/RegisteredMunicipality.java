package jp.inkan.registration.municipality;

/** A municipality allowed to call, and the fingerprint of the one client certificate that speaks for it. */
public record RegisteredMunicipality(String code, String prefecture, String name, String clientSubject,
                                     byte[] clientCertificateSha256) {
}
