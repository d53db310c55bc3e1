package jp.inkan.ca.crl;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import javax.sql.DataSource;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.ca.crypto.CrlTbsReader;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.error.CaException.Kind;
import jp.inkan.ca.hsm.CertificateSigner;
import jp.inkan.common.CertificateType;
import jp.inkan.ca.config.CaConfig;
import org.jboss.logging.Logger;

/**
 * Signs CRLs that crl-publisher built. The TBSCertList streams in, is checked (issuer, key
 * identifier, version, algorithm, dates, entry structure, extensions) and hashed on the way, so
 * memory does not grow with the number of entries; the signed scope and number are recorded before
 * the HSM signs the digest, and a number already signed for other content in the scope is refused.
 */
@ApplicationScoped
public class CrlSigningService {

    private static final Logger LOG = Logger.getLogger(CrlSigningService.class);

    /** The signature over the TBSCertList and the algorithm to put beside it. */
    public record SignedCrl(CertificateType ca, int generation, String signatureAlgorithm, byte[] signature,
                            String crlNumber, String deltaBase, long entries, String tbsSha256) {
    }

    private final KeyGenerations generations;
    private final CertificateSigner signer;
    private final DataSource dataSource;
    private final Clock clock;
    private final Duration maxSkew;
    private final Duration maxValidity;
    private final long maxLength;

    public CrlSigningService(KeyGenerations generations, CertificateSigner signer, DataSource dataSource, Clock clock,
                             CaConfig config) {
        this.generations = generations;
        this.signer = signer;
        this.dataSource = dataSource;
        this.clock = clock;
        this.maxSkew = config.crl().maxClockSkew();
        this.maxValidity = config.crl().maxValidity();
        this.maxLength = config.crl().maxTbsBytes();
    }

    public SignedCrl sign(CertificateType ca, int generation, InputStream tbs, String client) {
        KeyGeneration issuer = generations.active().stream()
                .filter(g -> g.ca() == ca && g.generation() == generation).findFirst()
                .orElseThrow(() -> new CaException(Kind.NOT_FOUND, "The " + ca + " CA has no key generation " + generation + "."));
        CrlTbsReader.Facts facts;
        try {
            facts = CrlTbsReader.read(tbs, new CrlTbsReader.Expectations(issuer.certificateDer(), issuer.algorithm(),
                    clock.instant(), maxSkew, maxValidity, maxLength));
        } catch (CrlTbsReader.Refused e) {
            LOG.warnf("Refused CRL content for %s generation %s from %s: %s", ca, issuer.label(), client, e.getMessage());
            throw new CaException(Kind.CRL_REFUSED, e.getMessage());
        }
        record(issuer, facts, client);
        byte[] signature = signer.signDigest(issuer.keyAlias(), issuer.algorithm(), facts.tbsSha256());
        String digest = HexFormat.of().formatHex(facts.tbsSha256());
        LOG.infof("Signed %s CRL %s of %s generation %s for %s: %d entries, %d bytes, TBS SHA-256 %s",
                facts.deltaBase() == null ? "complete" : "delta (base " + facts.deltaBase() + ")", facts.crlNumber(), ca,
                issuer.label(), client, facts.entries(), facts.length(), digest);
        return new SignedCrl(ca, generation, issuer.algorithm().jcaName(), signature, facts.crlNumber().toString(),
                facts.deltaBase() == null ? null : facts.deltaBase().toString(), facts.entries(), digest);
    }

    /** Records the scope and number, or finds them recorded for the same content; other content is refused. */
    private void record(KeyGeneration issuer, CrlTbsReader.Facts facts, String client) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into signed_crl (key_generation_id, scope_sha256, crl_number, delta_base, tbs_sha256, entries,
                        this_update, next_update, client, signed_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    on conflict (key_generation_id, scope_sha256, crl_number) do nothing""")) {
                insert.setLong(1, issuer.id());
                insert.setBytes(2, facts.scopeSha256());
                insert.setBigDecimal(3, new BigDecimal(facts.crlNumber()));
                insert.setBigDecimal(4, facts.deltaBase() == null ? null : new BigDecimal(facts.deltaBase()));
                insert.setBytes(5, facts.tbsSha256());
                insert.setLong(6, facts.entries());
                insert.setObject(7, facts.thisUpdate().atOffset(ZoneOffset.UTC));
                insert.setObject(8, facts.nextUpdate().atOffset(ZoneOffset.UTC));
                insert.setString(9, client);
                insert.setObject(10, Instant.now(clock).atOffset(ZoneOffset.UTC));
                if (insert.executeUpdate() == 1) {
                    return;
                }
            }
            try (PreparedStatement select = connection.prepareStatement("""
                    select tbs_sha256 from signed_crl where key_generation_id = ? and scope_sha256 = ? and crl_number = ?""")) {
                select.setLong(1, issuer.id());
                select.setBytes(2, facts.scopeSha256());
                select.setBigDecimal(3, new BigDecimal(facts.crlNumber()));
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next() && Arrays.equals(rs.getBytes(1), facts.tbsSha256())) {
                        return;
                    }
                }
            }
            throw new CaException(Kind.CRL_NUMBER_REUSED, "CRL number " + facts.crlNumber()
                    + " was already signed for other content in this scope.");
        } catch (SQLException e) {
            throw new CaException(Kind.INVENTORY_UNAVAILABLE, "The CRL cannot be recorded", e);
        }
    }
}
