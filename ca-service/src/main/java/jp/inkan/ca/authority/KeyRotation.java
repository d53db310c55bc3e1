package jp.inkan.ca.authority;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.error.CaException.Kind;
import jp.inkan.ca.hsm.CryptoToken;
import jp.inkan.ca.hsm.SigningAlgorithm;
import jp.inkan.ca.issuance.SerialNumbers;
import jp.inkan.common.CertificateType;
import org.jboss.logging.Logger;

/**
 * Root key update (RFC 4210 §4.4) without downtime: a new key in the HSM, its self-signed root
 * (same subject DN, new key identifier), the link certificates NewWithOld and OldWithNew, and a
 * generation that starts issuing at a chosen time — until then, and for every request in flight,
 * the previous generation issues as before. The previous generation keeps its key: it signs CRLs
 * and OCSP responder certificates for its own certificates until it is {@linkplain #retire retired}.
 *
 * <p>Nothing here holds a database transaction while the HSM works. A rotation that dies after the
 * key was stored adopts that key on the next attempt, as the bootstrap does.
 */
@ApplicationScoped
public class KeyRotation {

    private static final Logger LOG = Logger.getLogger(KeyRotation.class);

    private final CaConfig config;
    private final CryptoToken token;
    private final X509Encoder encoder;
    private final KeyGenerations generations;
    private final SerialNumbers serials;
    private final CaRoots roots;
    private final EntityManager entityManager;
    private final DataSource dataSource;
    private final AuditLog audit;
    private final Clock clock;

    public KeyRotation(CaConfig config, CryptoToken token, CaRoots roots, X509Encoder encoder, KeyGenerations generations,
                       SerialNumbers serials, EntityManager entityManager, DataSource dataSource, AuditLog audit,
                       Clock clock) {
        this.config = config;
        this.token = token;
        this.encoder = encoder;
        this.generations = generations;
        this.serials = serials;
        this.roots = roots;
        this.entityManager = entityManager;
        this.dataSource = dataSource;
        this.audit = audit;
        this.clock = clock;
    }

    /** Creates the next generation of {@code ca}, issuing from {@code switchAt}. */
    public KeyGeneration rotate(CertificateType ca, Instant switchAt, String operator) {
        Instant now = clock.instant();
        KeyGeneration previous = generations.latest(ca).orElseThrow(() -> new CaException(Kind.CA_NOT_READY,
                "The " + ca + " CA does not exist yet: bootstrap it first."));
        if (previous.issuingFrom().isAfter(now)) {
            throw new CaException(Kind.ROTATION_CONFLICT, "Generation " + previous.label() + " of the " + ca
                    + " CA is still waiting for its switch at " + previous.issuingFrom() + ".");
        }
        if (switchAt.isBefore(now.minusSeconds(60))) {
            throw new CaException(Kind.INVALID_REQUEST, "The switch time is in the past.",
                    java.util.List.of(new CaException.FieldError("switchAt", "must not be in the past")));
        }
        java.time.Duration lead = config.operators().minSwitchLead();
        if (!lead.isZero() && switchAt.isBefore(now.plus(lead))) {
            throw new CaException(Kind.INVALID_REQUEST, "The switch must be at least " + lead + " after the rotation"
                    + " is executed, so that every OCSP responder and CRL publisher serves the new generation before"
                    + " it issues: ask again with a later switchAt.",
                    java.util.List.of(new CaException.FieldError("switchAt", "must be at least " + lead + " from now")));
        }
        CaConfig.Authority authority = authority(ca);
        int number = previous.generation() + 1;
        String alias = authority.keyAliasPrefix() + "-g" + (number < 10 ? "0" + number : Integer.toString(number));
        SigningAlgorithm algorithm = SigningAlgorithm.forKey(authority.keyType());
        // Same subject DN as every generation of the CA: only the key identifiers differ.
        byte[] root = roots.keyAndRoot(authority, alias, previous.subjectDn(), now, "rotation");
        X509Encoder.RootFacts facts = encoder.rootFacts(root);
        // NewWithOld lives as long as the old root can be a trust anchor; OldWithNew covers the old root's life.
        Instant linkEnd = previous.notAfter().isBefore(facts.notAfter()) ? previous.notAfter() : facts.notAfter();
        byte[] newWithOld = encoder.linkCertificate(root, previous.certificateDer(), serials.next(),
                facts.notBefore(), linkEnd, previous.algorithm(),
                tbs -> token.sign(previous.keyAlias(), previous.algorithm(), tbs));
        byte[] oldWithNew = encoder.linkCertificate(previous.certificateDer(), root, serials.next(),
                previous.notBefore(), linkEnd, algorithm, tbs -> token.sign(alias, algorithm, tbs));
        KeyGeneration added = record(ca, previous, new KeyGeneration(0, ca, number, alias, algorithm, facts.subjectDn(),
                facts.subjectKeyIdentifier(), root, facts.notBefore(), facts.notAfter(),
                switchAt.isBefore(now) ? now : switchAt, newWithOld, oldWithNew, null), operator, now);
        generations.changed(); // committed: /internal/v1/cas lists it from now on, here at once
        LOG.infof("Rotated the %s CA: generation %s (key '%s', SKI %s) issues from %s", ca, added.label(), alias,
                added.keyId(), added.issuingFrom());
        return added;
    }

    @Transactional
    KeyGeneration record(CertificateType ca, KeyGeneration previous, KeyGeneration next, String operator, Instant now) {
        entityManager.createNativeQuery("select pg_advisory_xact_lock(" + CaBootstrap.ADVISORY_LOCK + ")").getSingleResult();
        if (generations.latest(ca).map(KeyGeneration::generation).orElse(0) != previous.generation()) {
            throw new CaException(Kind.ROTATION_CONFLICT, "Another rotation of the " + ca + " CA was recorded meanwhile.");
        }
        KeyGeneration added = generations.add(next, now);
        entityManager.flush();
        appendAudit(operator, "ca.rotated", ca + " generation " + added.label(), "key=" + added.keyAlias()
                + ", ski=" + added.keyId() + ", issuingFrom=" + added.issuingFrom() + ", previous=" + previous.label()
                + ", previousSki=" + previous.keyId());
        return added;
    }

    /**
     * Retires a generation once a newer one issues and the last of its certificates expired: it is
     * recorded as retired (no more CRLs, responder certificates or OCSP service for it), then its
     * key is destroyed in the HSM. Repeating it destroys a key a crash left behind.
     */
    public KeyGeneration retire(CertificateType ca, int number, String operator) {
        Instant now = clock.instant();
        KeyGeneration generation = generations.generation(ca, number).orElseThrow(() -> new CaException(Kind.NOT_FOUND,
                "The " + ca + " CA has no key generation " + number + "."));
        if (!generation.retired()) {
            KeyGeneration issuing = generations.issuingAt(ca, now).orElseThrow();
            if (issuing.generation() <= generation.generation()) {
                throw new CaException(Kind.ROTATION_CONFLICT, "Generation " + generation.label()
                        + " still issues (or nothing newer does yet): rotate and wait for the switch first.");
            }
            long live = liveCertificates(generation.id(), now);
            if (live > 0) {
                throw new CaException(Kind.ROTATION_CONFLICT, live + " certificate(s) of generation "
                        + generation.label() + " have not expired yet; it keeps signing CRLs and OCSP answers for them.");
            }
            markRetired(generation, operator, now);
            generations.changed();
        }
        if (token.destroy(generation.keyAlias())) {
            LOG.infof("Destroyed key '%s' of %s generation %s in the HSM", generation.keyAlias(), ca, generation.label());
        }
        generations.markKeyDestroyed(generation.id(), clock.instant());
        generations.changed();
        audit.record(operator, "ca.key-destroyed", ca + " generation " + generation.label(), "key=" + generation.keyAlias()
                + ", ski=" + generation.keyId());
        return generations.generation(ca, number).orElseThrow();
    }

    @Transactional
    void markRetired(KeyGeneration generation, String operator, Instant now) {
        generations.markRetired(generation.id(), now, operator);
        entityManager.flush();
        appendAudit(operator, "ca.retired", generation.ca() + " generation " + generation.label(),
                "key=" + generation.keyAlias() + ", ski=" + generation.keyId());
    }

    /** The audit entry joins the JPA transaction through its connection. */
    private void appendAudit(String actor, String action, String subject, String detail) {
        entityManager.unwrap(org.hibernate.Session.class).doWork(connection ->
                audit.append(connection, actor, action, subject, detail));
    }

    private long liveCertificates(long generationId, Instant now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "select count(*) from issued_certificate where key_generation_id = ? and not_after > ?")) {
            query.setLong(1, generationId);
            query.setObject(2, now.atOffset(ZoneOffset.UTC));
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new CaException(Kind.INVENTORY_UNAVAILABLE, "The inventory cannot be read", e);
        }
    }

    private CaConfig.Authority authority(CertificateType ca) {
        return ca == CertificateType.SIGNATURE ? config.signature() : config.authentication();
    }
}
