package jp.inkan.ca.issuance;

import jp.inkan.common.validation.HolderFacts;
import java.time.LocalDate;
import java.util.Optional;
import jp.inkan.ca.crypto.DecodedCsr;
import jp.inkan.ca.municipality.Municipality;
import jp.inkan.common.CertificateType;
import jp.inkan.common.Sex;

/** An issuance request whose every field has been checked and parsed. */
public record IssuanceCommand(
        String requestId,
        CertificateType type,
        DecodedCsr csr,
        Municipality municipality,
        String counterId,
        String cardSerial,
        LocalDate cardExpiry,
        HolderFacts holder,
        Optional<String> renewsSerial) {

}
