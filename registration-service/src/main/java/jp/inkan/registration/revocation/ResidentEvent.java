package jp.inkan.registration.revocation;

import java.util.Optional;
import java.util.Set;
import jp.inkan.common.CertificateType;
import jp.inkan.common.RevocationReason;

/**
 * An event from the resident registry that ends certificates (JPKI-FACTS: what ends a
 * certificate).
 *
 * @param residentRecordCode the resident (11 digits); matched through its keyed hash, never stored
 * @param event              what happened, one of {@link Kind}
 * @param cardSerial         the card concerned; required for the card events, ignored otherwise
 */
public record ResidentEvent(String residentRecordCode, String event, String cardSerial) {

    public enum Kind {
        /** A change of name, address, date of birth or sex: the signature certificate no longer tells the truth. */
        BASIC_FACTS_CHANGED(RevocationReason.AFFILIATION_CHANGED, Set.of(CertificateType.SIGNATURE), false),
        DEATH(RevocationReason.CESSATION_OF_OPERATION, Set.of(CertificateType.values()), false),
        RECORD_DELETED(RevocationReason.CESSATION_OF_OPERATION, Set.of(CertificateType.values()), false),
        CARD_RETURNED(RevocationReason.CESSATION_OF_OPERATION, Set.of(CertificateType.values()), true),
        /** The card's expiry moved earlier (e.g. the period of stay of a foreign resident was shortened). */
        CARD_EXPIRY_BROUGHT_FORWARD(RevocationReason.CESSATION_OF_OPERATION, Set.of(CertificateType.values()), true);

        private final RevocationReason reason;
        private final Set<CertificateType> ends;
        private final boolean concernsOneCard;

        Kind(RevocationReason reason, Set<CertificateType> ends, boolean concernsOneCard) {
            this.reason = reason;
            this.ends = ends;
            this.concernsOneCard = concernsOneCard;
        }

        public RevocationReason reason() {
            return reason;
        }

        /** Which of the resident's certificates the event ends. */
        public Set<CertificateType> ends() {
            return ends;
        }

        /** Card events end that card's certificates only, so they name the card. */
        public boolean concernsOneCard() {
            return concernsOneCard;
        }

        public static Optional<Kind> byName(String name) {
            try {
                return Optional.of(valueOf(name));
            } catch (IllegalArgumentException | NullPointerException e) {
                return Optional.empty();
            }
        }
    }
}
