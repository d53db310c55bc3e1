package jp.inkan.crl.publish;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.sql.DataSource;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.CaGeneration;
import jp.inkan.crl.ca.CaClient;
import jp.inkan.crl.config.CrlConfig;
import jp.inkan.crl.der.CrlExtensions;
import jp.inkan.crl.der.Der;
import jp.inkan.crl.der.RootCertificate;
import jp.inkan.crl.der.TbsCertList;
import jp.inkan.crl.store.CrlStore;
import jp.inkan.crl.store.CrlStore.Allocation;
import jp.inkan.crl.store.CrlStore.Kind;
import jp.inkan.crl.store.CrlStore.Scope;
import org.jboss.logging.Logger;

/**
 * Publishes one CRL of one scope: number allocated and committed first, entries streamed from a
 * database snapshot into the DER encoder, TBSCertList streamed to ca-service for signing, signature
 * verified, file written beside its target, fsynced and renamed over it under the scope's row lock
 * (only if no higher number was published meanwhile), publication recorded.
 */
@ApplicationScoped
public class Publisher {

    private static final Logger LOG = Logger.getLogger(Publisher.class);

    /** One key generation as the CRLs need it. */
    record Issuer(CertificateType ca, int generation, String label, byte[] rootDer, byte[] issuerName,
                  byte[] algorithmIdentifier, String jcaAlgorithm, byte[] keyIdentifier, PublicKey publicKey) {
    }

    /** What one publication produced. */
    public record Published(CertificateType ca, int generation, String partition, Kind kind, BigInteger number,
                            BigInteger baseNumber, long entries, long bytes, String path, boolean served,
                            long millis, long buildMillis, long signMillis, long writeMillis) {
    }

    private final CrlConfig config;
    private final CrlStore store;
    private final CaClient ca;
    private final DataSource dataSource;
    private final Clock clock;
    private final jp.inkan.crl.health.CrlMeters crlMeters;
    private final MeterRegistry meters;
    private final Map<String, Issuer> issuers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, CaClient.DistributionPoint>> distributionPoints = new ConcurrentHashMap<>();
    /** Test seam: called with "allocated", "signed" and "written"; may throw to simulate a crash there. */
    volatile Consumer<String> faults = stage -> { };

    public Publisher(CrlConfig config, CrlStore store, CaClient ca, DataSource dataSource,
                     jp.inkan.crl.health.CrlMeters crlMeters, MeterRegistry meters, Clock clock) {
        this.crlMeters = crlMeters;
        this.meters = meters;
        this.config = config;
        this.store = store;
        this.ca = ca;
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Set at shutdown: publishAll stops after the CRL in progress. */
    private volatile boolean stopping;

    public void stopAfterCurrent() {
        stopping = true;
    }

    private void failed(Kind kind) {
        Counter.builder("inkan.crl.publication.failures").description("CRL publications that failed (the previous CRL stays served)")
                .tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(meters).increment();
    }

    public void setFaults(Consumer<String> faults) {
        this.faults = faults == null ? stage -> { } : faults;
    }

    /** Re-reads key generations and distribution points from ca-service and makes sure each full scope exists. */
    public synchronized void refresh() {
        List<CaGeneration> listed = ca.generations();
        // A retired generation (key destroyed in ca-service) is no longer listed: stop publishing it.
        java.util.Set<String> keys = listed.stream().map(g -> key(g.ca(), g.generation()))
                .collect(java.util.stream.Collectors.toSet());
        issuers.keySet().retainAll(keys);
        distributionPoints.keySet().retainAll(keys);
        for (CaGeneration g : listed) {
            Issuer issuer = issuer(g);
            issuers.put(key(g.ca(), g.generation()), issuer);
            Map<String, CaClient.DistributionPoint> points = new ConcurrentHashMap<>();
            for (CaClient.DistributionPoint dp : ca.distributionPoints(g.ca(), g.generation())) {
                points.put(dp.municipalityCode(), dp);
                if (partitioned(g.ca())) {
                    store.ensureScope(g.ca(), g.generation(), dp.municipalityCode());
                }
            }
            distributionPoints.put(key(g.ca(), g.generation()), points);
            store.ensureScope(g.ca(), g.generation(), CrlStore.FULL);
        }
    }

    /** Publishes what is due (or everything of {@code kind} when forced) across all scopes. */
    public List<Published> publishAll(Kind kind, boolean force, CertificateType onlyCa, Integer onlyGeneration) {
        if (issuers.isEmpty()) {
            refresh();
        }
        List<Published> out = new ArrayList<>();
        for (Scope scope : store.scopes()) {
            if ((onlyCa != null && scope.ca() != onlyCa) || (onlyGeneration != null && scope.generation() != onlyGeneration)) {
                continue;
            }
            if (stopping) {
                LOG.infof("Shutting down: the remaining %s CRLs wait for the next check", kind);
                break;
            }
            try {
                publish(scope, kind, force).ifPresent(out::add);
            } catch (RuntimeException e) {
                failed(kind);
                LOG.errorf(e, "Publishing the %s CRL of %s failed; the previous one stays served", kind, describe(scope));
            }
        }
        return out;
    }

    /** The delta of a scope right after its complete CRL (operator trigger and schedule). */
    public Optional<Published> publishDeltaAfterComplete(Published complete) {
        return store.scopes().stream().filter(s -> s.ca() == complete.ca() && s.generation() == complete.generation()
                && s.partition().equals(complete.partition())).findFirst().flatMap(scope -> {
                    try {
                        return publish(scope, Kind.DELTA, true);
                    } catch (RuntimeException e) {
                        failed(Kind.DELTA);
                        LOG.errorf(e, "The delta after CRL %s of %s failed", complete.number(), describe(scope));
                        return Optional.empty();
                    }
                });
    }

    public Optional<Published> publish(Scope scope, Kind kind, boolean force) {
        if (kind == Kind.DELTA && config.schedule().deltaEvery().isZero()) {
            return Optional.empty();
        }
        Issuer issuer = issuers.get(key(scope.ca(), scope.generation()));
        if (issuer == null) {
            refresh();
            issuer = issuers.get(key(scope.ca(), scope.generation()));
            if (issuer == null) {
                LOG.warnf("No key generation for %s; not published", describe(scope));
                return Optional.empty();
            }
        }
        CaClient.DistributionPoint dp = null;
        if (!scope.full()) {
            if (!partitioned(scope.ca())) {
                return Optional.empty();
            }
            dp = distributionPoints.getOrDefault(key(scope.ca(), scope.generation()), Map.of()).get(scope.partition());
            if (dp == null) {
                refresh();
                dp = distributionPoints.getOrDefault(key(scope.ca(), scope.generation()), Map.of()).get(scope.partition());
                if (dp == null) {
                    LOG.warnf("ca-service names no distribution point for %s; not published", describe(scope));
                    return Optional.empty();
                }
            }
        }
        long started = System.nanoTime();
        Instant now = clock.instant();
        Duration interval = kind == Kind.COMPLETE ? config.schedule().completeEvery() : config.schedule().deltaEvery();
        Optional<Allocation> allocated;
        try {
            // Due when the last one is older than ~90% of the interval, so a check every few seconds
            // keeps the cadence without two replicas both publishing in one period.
            allocated = store.allocate(scope.id(), kind, force, now, interval.multipliedBy(9).dividedBy(10));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot allocate a CRL number for " + describe(scope), e);
        }
        if (allocated.isEmpty()) {
            return Optional.empty();
        }
        Allocation allocation = allocated.get();
        faults.accept("allocated");
        try {
            return Optional.of(build(issuer, dp, allocation, now, started));
        } catch (IOException e) {
            throw new UncheckedIOException("CRL " + allocation.number() + " of " + describe(scope) + " not published", e);
        } catch (SQLException e) {
            throw new IllegalStateException("CRL " + allocation.number() + " of " + describe(scope) + " not published", e);
        }
    }

    private Published build(Issuer issuer, CaClient.DistributionPoint dp, Allocation allocation, Instant now, long started)
            throws IOException, SQLException {
        Scope scope = allocation.scope();
        Path target = target(scope, allocation.kind());
        Files.createDirectories(target.getParent());
        Path spill = target.resolveSibling("." + target.getFileName() + ".entries-" + allocation.number());
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + allocation.number());
        long thisUpdate = now.getEpochSecond();
        Duration validity = allocation.kind() == Kind.COMPLETE
                ? config.schedule().completeEvery().plus(config.schedule().completeOverlap())
                : config.schedule().deltaEvery().plus(config.schedule().deltaOverlap());
        long nextUpdate = thisUpdate + validity.toSeconds();
        try (TbsCertList tbs = new TbsCertList(spill)) {
            long buildStart = System.nanoTime();
            long changeSeq = streamEntries(scope, allocation, now, tbs);
            tbs.finish(issuer.algorithmIdentifier(), issuer.issuerName(), thisUpdate, nextUpdate,
                    extensions(issuer, dp, scope, allocation));
            long signStart = System.nanoTime();
            CaClient.SignedCrl signed = ca.sign(scope.ca(), scope.generation(), tbs::open, tbs.length());
            long writeStart = System.nanoTime();
            faults.accept("signed");
            if (!issuer.jcaAlgorithm().equalsIgnoreCase(signed.signatureAlgorithm())) {
                throw new IllegalStateException("ca-service signed with " + signed.signatureAlgorithm());
            }
            long bytes = writeVerified(issuer, tbs, signed.signature(), temp);
            faults.accept("written");
            boolean served = store.publish(allocation, new CrlStore.Publication(changeSeq, Instant.ofEpochSecond(thisUpdate),
                    Instant.ofEpochSecond(nextUpdate), tbs.count(), bytes, signed.tbsSha256()), () -> install(temp, target));
            long end = System.nanoTime();
            long millis = (end - started) / 1_000_000;
            Timer.builder("inkan.crl.publications").description("CRLs built, signed and written; served or abandoned to a newer number")
                    .tags("ca", scope.ca().name().toLowerCase(Locale.ROOT),
                            "kind", allocation.kind().name().toLowerCase(Locale.ROOT), "outcome", served ? "served" : "abandoned")
                    .register(meters).record(end - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            if (served) {
                crlMeters.published(scope.ca(), scope.generation(), scope.partition(), allocation.kind(), thisUpdate);
                LOG.infof("Published %s CRL %s of %s: %d entries, %d bytes, %d ms", allocation.kind(), allocation.number(),
                        describe(scope), tbs.count(), bytes, millis);
            } else {
                LOG.infof("CRL %s of %s abandoned: a higher number was published first", allocation.number(), describe(scope));
            }
            return new Published(scope.ca(), scope.generation(), scope.partition(), allocation.kind(), allocation.number(),
                    allocation.baseNumber(), tbs.count(), bytes, "/" + config.outputDir().relativize(target), served, millis,
                    (signStart - buildStart) / 1_000_000, (writeStart - signStart) / 1_000_000, (end - writeStart) / 1_000_000);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Streams the scope's entries from one snapshot; returns the change sequence the snapshot includes. */
    private long streamEntries(Scope scope, Allocation allocation, Instant now, TbsCertList tbs) throws SQLException, IOException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                long changeSeq;
                try (PreparedStatement counter = c.prepareStatement("select value from change_counter where id = 1");
                     ResultSet rs = counter.executeQuery()) {
                    rs.next();
                    changeSeq = rs.getLong(1);
                }
                // Every generation of the CA, not only the signing one: all generations share the issuer
                // DN, and a CRL's scope is its issuer name (and IDP), not its key (RFC 5280 §5, §6.3.3).
                // A relying party may take generation 02's CRL for a generation 01 certificate (the JDK
                // does, from the new root), so each must list the other's revocations too.
                String partition = scope.full() ? "" : " and municipality_code = ?";
                String sql = allocation.kind() == Kind.COMPLETE
                        ? "select serial, status, revoked_at, reason, invalidity_date from cert_status"
                          + " where ca = ?" + partition
                          + " and status <> 'V' and (not_after >= ? or status = 'H')"
                        : "select serial, status, revoked_at, reason, invalidity_date from cert_status"
                          + " where ca = ?" + partition
                          + " and change_seq > ? and (status <> 'V' or reason = 8)";
                try (PreparedStatement select = c.prepareStatement(sql)) {
                    select.setFetchSize(config.schedule().fetchSize());
                    int i = 1;
                    select.setString(i++, scope.ca().name());
                    if (!scope.full()) {
                        select.setString(i++, scope.partition());
                    }
                    if (allocation.kind() == Kind.COMPLETE) {
                        select.setLong(i, now.getEpochSecond());
                    } else {
                        select.setLong(i, allocation.baseChangeSeq());
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            String status = rs.getString(2);
                            int reason = rs.getInt(4);
                            if (rs.wasNull()) {
                                reason = -1;
                            }
                            if ("V".equals(status)) {
                                reason = 8; // removeFromCRL: only deltas select these
                            } else if ("H".equals(status)) {
                                reason = 6;
                            }
                            long invalidity = rs.getLong(5);
                            Long invalidityDate = rs.wasNull() ? null : invalidity;
                            tbs.entry(rs.getString(1), rs.getLong(3), reason, invalidityDate);
                        }
                    }
                }
                c.commit();
                return changeSeq;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private byte[] extensions(Issuer issuer, CaClient.DistributionPoint dp, Scope scope, Allocation allocation) {
        return CrlExtensions.encode(issuer.keyIdentifier(), allocation.number(), dp == null ? null : dp.fullName(),
                allocation.kind() == Kind.DELTA ? java.util.Objects.requireNonNull(allocation.baseNumber(), "a delta CRL's base") : null,
                allocation.kind() != Kind.DELTA && !config.schedule().deltaEvery().isZero() ? url(scope, Kind.DELTA) : null);
    }

    /** CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, BIT STRING signature }, checked against the root. */
    private long writeVerified(Issuer issuer, TbsCertList tbs, byte[] signature, Path temp) throws IOException {
        byte[] bitString = Der.bitString(signature);
        long content = tbs.length() + issuer.algorithmIdentifier().length + bitString.length;
        byte[] outer = new byte[Der.headerLength(content)];
        Der.header(outer, 0, Der.SEQUENCE, content);
        Signature verifier;
        try {
            verifier = Signature.getInstance(issuer.jcaAlgorithm());
            verifier.initVerify(issuer.publicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
             OutputStream out = Channels.newOutputStream(channel);
             InputStream in = tbs.open()) {
            out.write(outer);
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                verifier.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
            out.write(issuer.algorithmIdentifier());
            out.write(bitString);
            if (!verifier.verify(signature)) {
                throw new IllegalStateException("ca-service's CRL signature does not verify with the generation's root");
            }
            channel.force(true);
            return channel.size();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Atomic replacement: rename over the served file, then fsync the directory so the rename is durable. */
    private static void install(Path temp, Path target) {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                // Some file systems cannot open directories; the rename itself is atomic.
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <output-dir>/crl/<ca>/g<NN>/<municipality|full>[-delta].crl}, the path of its URL. */
    public Path target(Scope scope, Kind kind) {
        return config.outputDir().resolve(relative(scope.ca(), scope.generation(), scope.partition(), kind));
    }

    public String url(Scope scope, Kind kind) {
        String base = config.baseUrl().endsWith("/") ? config.baseUrl().substring(0, config.baseUrl().length() - 1)
                : config.baseUrl();
        return base + "/" + relative(scope.ca(), scope.generation(), scope.partition(), kind);
    }

    public static String relative(CertificateType ca, int generation, String partition, Kind kind) {
        String label = generation < 10 ? "0" + generation : Integer.toString(generation);
        return "crl/" + ca.name().toLowerCase(Locale.ROOT) + "/g" + label + "/"
                + (CrlStore.FULL.equals(partition) ? "full" : partition) + (kind == Kind.DELTA ? "-delta" : "") + ".crl";
    }

    private boolean partitioned(CertificateType type) {
        return type == CertificateType.SIGNATURE || config.authentication().partitioned();
    }

    private static String key(CertificateType ca, int generation) {
        return ca + "/" + generation;
    }

    private static String describe(Scope scope) {
        return scope.ca().name().toLowerCase(Locale.ROOT) + " g" + scope.generation() + " "
                + (scope.full() ? "full" : scope.partition());
    }

    private static Issuer issuer(CaGeneration g) {
        try {
            String pem = g.certificatePem().replaceAll("-----[^-]+-----", "").replaceAll("\\s", "");
            byte[] der = Base64.getDecoder().decode(pem);
            RootCertificate root = RootCertificate.parse(der);
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            String label = g.generation() < 10 ? "0" + g.generation() : Integer.toString(g.generation());
            return new Issuer(g.ca(), g.generation(), label, der, root.subject(),
                    root.signatureAlgorithm(), certificate.getSigAlgName(),
                    HexFormat.of().parseHex(g.subjectKeyIdentifier()), certificate.getPublicKey());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the root of " + g.ca() + " generation " + g.generation(), e);
        }
    }
}
