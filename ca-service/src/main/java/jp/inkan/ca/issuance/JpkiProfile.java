package jp.inkan.ca.issuance;

import jp.inkan.common.validation.HolderFacts;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.municipality.Municipality;
import jp.inkan.ca.config.ClockProducer;
import jp.inkan.ca.crypto.CertificateSpec;
import jp.inkan.ca.crypto.CertificateSpec.Attribute;
import jp.inkan.ca.crypto.CertificateSpec.AttributeType;
import jp.inkan.ca.crypto.CertificateSpec.OtherName;
import jp.inkan.common.CertificateType;

/**
 * The JPKI end-entity profiles (see shared JPKI-FACTS): what each certificate type says. Only
 * values are decided here; the encoding is {@link jp.inkan.ca.crypto.X509Encoder}'s.
 */
@ApplicationScoped
public class JpkiProfile {

    /** Basic-four-facts otherName OIDs of the signature certificate's subjectAltName. */
    public static final String OID_NAME = "1.2.392.200149.8.5.5.1";
    public static final String OID_NAME_FLAGS = "1.2.392.200149.8.5.5.2";
    public static final String OID_SEX = "1.2.392.200149.8.5.5.3";
    public static final String OID_DATE_OF_BIRTH = "1.2.392.200149.8.5.5.4";
    public static final String OID_ADDRESS = "1.2.392.200149.8.5.5.5";
    public static final String OID_ADDRESS_FLAGS = "1.2.392.200149.8.5.5.6";


    private final CaConfig config;

    public JpkiProfile(CaConfig config) {
        this.config = config;
    }

    /**
     * Signature: {@code C=JP, L=<prefecture>, L=<municipality>, CN=<id>}; authentication:
     * {@code C=JP, CN=<id>}. The id is the request timestamp (Japan time), a 5-digit sequence
     * and the counter id: unique, and opaque about the holder.
     */
    public List<Attribute> subject(IssuanceCommand command, Instant requestedAt, int sequence) {
        String id = requestTimestamp(requestedAt) + fiveDigits(sequence) + command.counterId();
        if (command.type() == CertificateType.SIGNATURE) {
            return List.of(
                    new Attribute(AttributeType.COUNTRY, "JP"),
                    new Attribute(AttributeType.LOCALITY, command.municipality().prefecture()),
                    new Attribute(AttributeType.LOCALITY, command.municipality().name()),
                    new Attribute(AttributeType.COMMON_NAME, id));
        }
        return List.of(new Attribute(AttributeType.COUNTRY, "JP"), new Attribute(AttributeType.COMMON_NAME, id));
    }

    public CertificateSpec certificate(IssuanceCommand command, KeyGeneration issuer, BigInteger serial,
                                       ValidityPolicy.Window window, List<Attribute> subject) {
        boolean signature = command.type() == CertificateType.SIGNATURE;
        CaConfig.Authority authority = signature ? config.signature() : config.authentication();
        return new CertificateSpec(
                issuer.certificateDer(),
                issuer.algorithm(),
                serial,
                window.notBefore(),
                window.notAfter(),
                subject,
                command.csr().subjectPublicKeyInfo(),
                signature,
                authority.policyOid(),
                config.profile().cpsUri(),
                "C=JP, O=" + escape(config.profile().issuerAltNameOrganization()),
                signature ? basicFourFacts(command.holder()) : List.of(),
                crlDirectoryName(command.type(), command.municipality()),
                crlUrl(command.type(), issuer, command.municipality()),
                authority.ocspUrl());
    }

    /** The DirName of the CRL distribution point of a municipality's certificates (also the partition CRL's IDP). */
    public String crlDirectoryName(CertificateType type, Municipality municipality) {
        CaConfig.Authority authority = type == CertificateType.SIGNATURE ? config.signature() : config.authentication();
        return authority.crlDistributionPointBaseDn()
                + ", OU=" + escape(municipality.prefecture())
                + ", CN=" + escape(municipality.name() + " CRLDP");
    }

    /** The HTTP URI of that distribution point for certificates of {@code issuer}. */
    public String crlUrl(CertificateType type, KeyGeneration issuer, Municipality municipality) {
        CaConfig.Authority authority = type == CertificateType.SIGNATURE ? config.signature() : config.authentication();
        return authority.crlUrlTemplate()
                .replace("{generation}", issuer.label())
                .replace("{municipality}", municipality.code());
    }

    private static List<OtherName> basicFourFacts(HolderFacts holder) {
        return List.of(
                new OtherName(OID_NAME, holder.name()),
                new OtherName(OID_NAME_FLAGS, holder.nameSubstitutionFlags()),
                new OtherName(OID_SEX, Integer.toString(holder.sex().code())),
                new OtherName(OID_DATE_OF_BIRTH, JapaneseEra.encode(holder.dateOfBirth())),
                new OtherName(OID_ADDRESS, holder.address()),
                new OtherName(OID_ADDRESS_FLAGS, holder.addressSubstitutionFlags()));
    }

    /** {@code yyyyMMddHHmmss} in Japan time (hand-rolled: this runs on every issuance). */
    static String requestTimestamp(Instant instant) {
        java.time.LocalDateTime t = java.time.LocalDateTime.ofInstant(instant, ClockProducer.JAPAN);
        StringBuilder out = new StringBuilder(14).append(t.getYear());
        for (int field : new int[] {t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()}) {
            out.append((char) ('0' + field / 10)).append((char) ('0' + field % 10));
        }
        return out.toString();
    }

    static String fiveDigits(int value) {
        String digits = Integer.toString(value);
        return "00000".substring(digits.length()) + digits;
    }

    /** RFC 4514 escaping of an attribute value placed in a DN string. */
    static String escape(String value) {
        StringBuilder escaped = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (",+\"\\<>;=#".indexOf(c) >= 0) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
