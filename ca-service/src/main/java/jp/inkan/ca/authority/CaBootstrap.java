package jp.inkan.ca.authority;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.hsm.SigningAlgorithm;
import jp.inkan.common.CertificateType;
import org.jboss.logging.Logger;

/**
 * Creates the Signature CA and the User Authentication CA: for each, a key generated in the HSM,
 * its self-signed root, and key generation 01 in the database.
 *
 * <p>Idempotent and safe to re-run after a crash at any step: a CA that has a generation is left
 * alone, and a key already stored in the token under the generation's alias (a run that died
 * before its database commit) is adopted instead of generating another ({@link CaRoots}).
 */
@ApplicationScoped
public class CaBootstrap {

    private static final Logger LOG = Logger.getLogger(CaBootstrap.class);
    /** Serialises bootstraps of concurrent replicas on the shared database. */
    /** One lock for every change to the CA list (bootstrap, rotation), across replicas. */
    static final long ADVISORY_LOCK = 0x496e6b616eL;

    private final CaConfig config;
    private final X509Encoder encoder;
    private final KeyGenerations generations;
    private final CaRoots roots;
    private final EntityManager entityManager;
    private final Clock clock;
    private final AuditLog audit;

    public CaBootstrap(CaConfig config, CaRoots roots, X509Encoder encoder, KeyGenerations generations,
                       EntityManager entityManager, Clock clock, AuditLog audit) {
        this.audit = audit;
        this.config = config;
        this.encoder = encoder;
        this.generations = generations;
        this.roots = roots;
        this.entityManager = entityManager;
        this.clock = clock;
    }

    /**
     * The start-up flag is single-operator (whoever sets the environment); dev and tests use it.
     * The operator API's bootstrap goes through dual control instead.
     */
    void onStart(@Observes StartupEvent event) {
        if (config.bootstrap().onStart()) {
            bootstrap("start-up flag");
        }
    }

    /** Ensures both CAs exist; returns their issuing generations. */
    @Transactional
    public List<KeyGeneration> bootstrap(String actor) {
        entityManager.createNativeQuery("select pg_advisory_xact_lock(" + ADVISORY_LOCK + ")").getSingleResult();
        List<KeyGeneration> result = new ArrayList<>();
        for (CertificateType ca : CertificateType.values()) {
            result.add(ensure(ca, actor));
        }
        return result;
    }

    private KeyGeneration ensure(CertificateType ca, String actor) {
        Optional<KeyGeneration> existing = generations.latest(ca);
        if (existing.isPresent()) {
            LOG.infof("%s CA exists (generation %s); nothing to do", ca, existing.get().label());
            return existing.get();
        }
        CaConfig.Authority authority = ca == CertificateType.SIGNATURE ? config.signature() : config.authentication();
        String alias = authority.keyAliasPrefix() + "-g01";
        SigningAlgorithm algorithm = SigningAlgorithm.forKey(authority.keyType());
        byte[] root = roots.keyAndRoot(authority, alias, authority.subjectDn(), clock.instant(), "bootstrap");
        X509Encoder.RootFacts facts = encoder.rootFacts(root);
        KeyGeneration generation = generations.add(new KeyGeneration(0, ca, 1, alias, algorithm, facts.subjectDn(),
                facts.subjectKeyIdentifier(), root, facts.notBefore(), facts.notAfter(), clock.instant(),
                null, null, null), clock.instant());
        entityManager.flush();
        entityManager.unwrap(org.hibernate.Session.class).doWork(connection -> audit.append(connection, actor,
                "ca.bootstrapped", ca + " generation " + generation.label(), "key=" + alias + ", ski="
                        + generation.keyId() + ", subject=" + facts.subjectDn()));
        LOG.infof("Created %s CA generation %s: key '%s', subject %s, SKI %s", ca, generation.label(), alias,
                facts.subjectDn(), HexFormat.of().formatHex(facts.subjectKeyIdentifier()));
        return generation;
    }
}
