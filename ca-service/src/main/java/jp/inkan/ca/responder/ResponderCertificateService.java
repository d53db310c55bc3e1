package jp.inkan.ca.responder;

import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.crypto.CsrDecoder;
import jp.inkan.ca.crypto.DecodedCsr;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.error.CaException.FieldError;
import jp.inkan.ca.error.CaException.Kind;
import jp.inkan.ca.hsm.CertificateSigner;
import jp.inkan.ca.inventory.CertificateStore;
import jp.inkan.ca.issuance.KeyPolicy;
import jp.inkan.ca.issuance.KeyType;
import jp.inkan.ca.issuance.SerialNumbers;
import jp.inkan.common.ca.ResponderCertificate;
import jp.inkan.common.ca.ResponderCertificateRequest;
import org.jboss.logging.Logger;

/**
 * Issues delegated OCSP responder certificates, one CA key generation at a time, from a CSR whose
 * key stays in the responder's token. Renewal is simply another request: the same key may be
 * certified again, each certificate is recorded.
 */
@ApplicationScoped
public class ResponderCertificateService {

    private static final Logger LOG = Logger.getLogger(ResponderCertificateService.class);
    /** Tolerates responder clocks slightly behind ours. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final int SERIAL_ATTEMPTS = 5;

    private final KeyGenerations generations;
    private final CsrDecoder csrs;
    private final KeyPolicy keyPolicy = new KeyPolicy(EnumSet.of(KeyType.RSA_2048, KeyType.RSA_3072, KeyType.EC_P256));
    private final SerialNumbers serials;
    private final X509Encoder encoder;
    private final CertificateSigner signer;
    private final DataSource dataSource;
    private final CaConfig config;
    private final Clock clock;

    public ResponderCertificateService(KeyGenerations generations, CsrDecoder csrs, SerialNumbers serials,
                                       X509Encoder encoder, CertificateSigner signer, DataSource dataSource,
                                       CaConfig config, Clock clock) {
        this.generations = generations;
        this.csrs = csrs;
        this.serials = serials;
        this.encoder = encoder;
        this.signer = signer;
        this.dataSource = dataSource;
        this.config = config;
        this.clock = clock;
    }

    public ResponderCertificate issue(ResponderCertificateRequest request) {
        if (request == null) {
            throw new CaException(Kind.INVALID_REQUEST, "The request has no body.",
                    List.of(new FieldError("body", "is required")));
        }
        List<FieldError> errors = new ArrayList<>();
        if (request.ca() == null) {
            errors.add(new FieldError("ca", "is required (SIGNATURE, AUTHENTICATION)"));
        }
        if (request.keyGeneration() < 1 || request.keyGeneration() > 99) {
            errors.add(new FieldError("keyGeneration", "must be 1 to 99"));
        }
        DecodedCsr csr = null;
        if (request.csrPem() == null) {
            errors.add(new FieldError("csrPem", "is required"));
        } else {
            CsrDecoder.Result decoded = csrs.decode(request.csrPem());
            if (decoded instanceof CsrDecoder.Refused refused) {
                errors.add(new FieldError("csrPem", refused.reason()));
            } else {
                csr = ((CsrDecoder.Accepted) decoded).csr();
            }
        }
        if (!errors.isEmpty()) {
            throw new CaException(Kind.INVALID_REQUEST, "The responder certificate request has " + errors.size()
                    + " invalid field(s).", errors);
        }
        keyPolicy.check(csr.publicKey());
        KeyGeneration issuer = generations.active().stream()
                .filter(g -> g.ca() == request.ca() && g.generation() == request.keyGeneration()).findFirst()
                .orElseThrow(() -> new CaException(Kind.NOT_FOUND, "The " + request.ca() + " CA has no key generation "
                        + request.keyGeneration() + "."));

        Instant now = clock.instant();
        Instant notBefore = now.minus(BACKDATE);
        Instant notAfter = now.plus(config.responder().validity());
        if (notAfter.isAfter(issuer.notAfter())) {
            notAfter = issuer.notAfter();
        }
        String subjectDn = issuer.subjectDn() + ", CN=" + config.responder().commonName()
                .replace("{ca}", request.ca().name().toLowerCase(Locale.ROOT)).replace("{generation}", issuer.label());
        for (int attempt = 1; attempt <= SERIAL_ATTEMPTS; attempt++) {
            BigInteger serial = serials.next();
            String serialHex = CertificateStore.hex(serial);
            byte[] der = encoder.ocspResponder(issuer.certificateDer(), issuer.algorithm(), serial, notBefore, notAfter,
                    subjectDn, csr.subjectPublicKeyInfo(), tbs -> signer.sign(issuer.keyAlias(), issuer.algorithm(), tbs));
            if (record(issuer, serialHex, subjectDn, notBefore, notAfter, sha256(csr.subjectPublicKeyInfo()), der, now)) {
                LOG.infof("Issued OCSP responder certificate %s for %s generation %s, valid until %s",
                        serialHex, request.ca(), issuer.label(), notAfter);
                return new ResponderCertificate(request.ca(), issuer.generation(), serialHex, notBefore, notAfter,
                        X509Encoder.pem(der), X509Encoder.pem(issuer.certificateDer()));
            }
        }
        throw new CaException(Kind.SERIAL_EXHAUSTED, "No unused serial number after " + SERIAL_ATTEMPTS + " attempts.");
    }

    /** Records the certificate unless its serial is taken in the CA's serial space (either table). */
    private boolean record(KeyGeneration issuer, String serial, String subjectDn, Instant notBefore, Instant notAfter,
                           byte[] keyHash, byte[] der, Instant now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     insert into responder_certificate (ca, key_generation_id, serial, subject_dn, not_before, not_after,
                         public_key_sha256, der, issued_at)
                     select ?, ?, ?, ?, ?, ?, ?, ?, ?
                     where not exists (select 1 from issued_certificate where ca = ? and serial = ?)
                     on conflict do nothing""")) {
            insert.setString(1, issuer.ca().name());
            insert.setLong(2, issuer.id());
            insert.setString(3, serial);
            insert.setString(4, subjectDn);
            insert.setObject(5, notBefore.atOffset(ZoneOffset.UTC));
            insert.setObject(6, notAfter.atOffset(ZoneOffset.UTC));
            insert.setBytes(7, keyHash);
            insert.setBytes(8, der);
            insert.setObject(9, now.atOffset(ZoneOffset.UTC));
            insert.setString(10, issuer.ca().name());
            insert.setString(11, serial);
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new CaException(Kind.INVENTORY_UNAVAILABLE, "The responder certificate cannot be recorded", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
