package jp.inkan.ca.issuance;

import java.time.LocalDate;
import java.util.Optional;
import jp.inkan.ca.crypto.DecodedCsr;
import jp.inkan.ca.municipality.Municipality;
import jp.inkan.common.CertificateType;
import jp.inkan.common.Sex;

/** An issuance request whose every field has been checked and parsed. */
public record IssuanceCommand(
        CertificateType type,
        DecodedCsr csr,
        Municipality municipality,
        String counterId,
        String cardSerial,
        LocalDate cardExpiry,
        Holder holder,
        Optional<String> renewsSerial) {

    /** Name, sex and address are empty for an authentication certificate that was sent none. */
    public record Holder(
            String name,
            String nameSubstitutionFlags,
            LocalDate dateOfBirth,
            Sex sex,
            String address,
            String addressSubstitutionFlags,
            boolean adultWard) {
    }
}
