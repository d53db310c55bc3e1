package jp.inkan.ca.crl;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.issuance.JpkiProfile;
import jp.inkan.ca.municipality.MunicipalityRegistry;
import jp.inkan.common.CertificateType;

/**
 * The CRL distribution points this CA writes into certificates, one per municipality and key
 * generation, so crl-publisher names each partitioned CRL's issuing distribution point with the
 * very bytes the certificates carry (RFC 5280 §5.2.5 matching by relying parties).
 */
@ApplicationScoped
public class CrlDistributionPoints {

    /** {@code fullName}: DER GeneralNames { DirName, URI }, as in the certificates. */
    public record DistributionPoint(String municipalityCode, String directoryName, String url, byte[] fullName) {
    }

    private final KeyGenerations generations;
    private final MunicipalityRegistry municipalities;
    private final JpkiProfile profile;
    private final X509Encoder encoder;

    public CrlDistributionPoints(KeyGenerations generations, MunicipalityRegistry municipalities, JpkiProfile profile,
                                 X509Encoder encoder) {
        this.generations = generations;
        this.municipalities = municipalities;
        this.profile = profile;
        this.encoder = encoder;
    }

    public List<DistributionPoint> list(CertificateType ca, int generation) {
        KeyGeneration issuer = generations.all().stream()
                .filter(g -> g.ca() == ca && g.generation() == generation).findFirst()
                .orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND,
                        "The " + ca + " CA has no key generation " + generation + "."));
        return municipalities.all().stream().map(m -> {
            String dn = profile.crlDirectoryName(ca, m);
            String url = profile.crlUrl(ca, issuer, m);
            return new DistributionPoint(m.code(), dn, url, encoder.distributionPointFullName(dn, url));
        }).toList();
    }
}
