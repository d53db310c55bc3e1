package jp.inkan.registration.revocation;

/**
 * A municipality's revocation request as it arrives: strings, so that every bad field can be
 * named in one answer.
 *
 * @param reason         one of the JPKI revocation reasons (RFC 5280 names): unspecified, keyCompromise,
 *                       affiliationChanged, superseded, cessationOfOperation
 * @param invalidityDate optional ISO-8601 instant, not in the future: when the key is known or
 *                       suspected to have been compromised
 */
public record RevocationCommand(String reason, String invalidityDate) {
}
