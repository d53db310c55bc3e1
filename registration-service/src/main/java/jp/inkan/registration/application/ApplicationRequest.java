package jp.inkan.registration.application;

import jp.inkan.common.ca.IssuanceRequest;

/**
 * A card application as a municipal counter submits it.
 *
 * @param residentRecordCode 住民票コード, 11 digits; stored only as a keyed hash
 * @param holder             the basic four facts, substitute-character flags, date of birth, adult-ward flag
 * @param cardSerial         the card the keys live on
 * @param cardExpiry         the card's last valid day (ISO-8601)
 * @param counterId          the counter (窓口) that took the application
 * @param identityDocument   how the counter verified identity
 * @param csrs               a PKCS#10 request per certificate wanted
 */
public record ApplicationRequest(
        String residentRecordCode,
        IssuanceRequest.Holder holder,
        String cardSerial,
        String cardExpiry,
        String counterId,
        IdentityDocument identityDocument,
        Csrs csrs) {

    /** PEM or base64 PKCS#10 requests; either may be absent, not both. */
    public record Csrs(String signature, String authentication) {
    }

    /** The document checked at the counter (本人確認書類). */
    public enum IdentityDocument {
        MY_NUMBER_CARD, NOTIFICATION_CARD_AND_PHOTO_ID, DRIVING_LICENCE, PASSPORT, RESIDENCE_CARD, OTHER_PHOTO_ID,
        TWO_NON_PHOTO_DOCUMENTS
    }
}
