package jp.inkan.ocsp.issuers;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import jp.inkan.common.ca.CaGeneration;
import jp.inkan.ocsp.crypto.IssuerHashes;
import jp.inkan.ocsp.crypto.OcspMessages;
import jp.inkan.common.tls.TlsFiles;
import org.jboss.logging.Logger;

/**
 * The CA key generations served, from ca-service's list (both CAs, every generation), and the
 * lookup from a CertID's issuer hashes to one of them. Replaced as a whole on each refresh, so a
 * reader sees one list or the next, never a mix.
 */
@ApplicationScoped
public class CaDirectory {

    private static final Logger LOG = Logger.getLogger(CaDirectory.class);

    private record Index(List<ServedIssuer> served, Map<String, ServedIssuer> byHashes) {
    }

    private final CaServiceApi ca;
    private final Clock clock;
    private volatile Index index = new Index(List.of(), Map.of());
    private volatile Instant refreshedAt;

    public CaDirectory(CaServiceApi ca, Clock clock) {
        this.ca = ca;
        this.clock = clock;
    }

    /** Fetches the list again; on failure the previous one stays. */
    public void refresh() {
        List<CaGeneration> generations = ca.generations();
        List<ServedIssuer> served = new ArrayList<>();
        Map<String, ServedIssuer> byHashes = new HashMap<>();
        for (CaGeneration generation : generations) {
            X509Certificate root = TlsFiles.certificate(generation.certificatePem());
            Map<String, IssuerHashes.Hashes> hashes = IssuerHashes.of(root);
            ServedIssuer issuer = new ServedIssuer(generation.ca(), generation.generation(),
                    generation.subjectKeyIdentifier().toLowerCase(Locale.ROOT), root, hashes);
            served.add(issuer);
            hashes.values().forEach(h -> byHashes.put(key(h.algorithm(), h.nameHash(), h.keyHash()), issuer));
        }
        boolean changed = !served.stream().map(ServedIssuer::label).toList()
                .equals(index.served().stream().map(ServedIssuer::label).toList());
        index = new Index(List.copyOf(served), Map.copyOf(byHashes));
        refreshedAt = clock.instant();
        if (changed) {
            LOG.infof("Serving %s", served.stream().map(ServedIssuer::label).toList());
        }
    }

    public List<ServedIssuer> served() {
        return index.served();
    }

    public Optional<Instant> refreshedAt() {
        return Optional.ofNullable(refreshedAt);
    }

    /** The served generation a CertID names, if any (unknown hash algorithms match nothing). */
    public Optional<ServedIssuer> issuerOf(OcspMessages.CertId id) {
        return Optional.ofNullable(index.byHashes().get(key(id.hashAlgorithm(), id.issuerNameHash(), id.issuerKeyHash())));
    }

    private static String key(String algorithm, byte[] nameHash, byte[] keyHash) {
        return algorithm + ':' + HexFormat.of().formatHex(nameHash) + ':' + HexFormat.of().formatHex(keyHash);
    }
}
