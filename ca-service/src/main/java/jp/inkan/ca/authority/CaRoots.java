package jp.inkan.ca.authority;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.hsm.CryptoToken;
import jp.inkan.ca.hsm.SigningAlgorithm;
import jp.inkan.ca.issuance.SerialNumbers;
import org.jboss.logging.Logger;

/**
 * A CA generation's key in the HSM and its self-signed root, made alike by bootstrap and rotation.
 * A key already under the alias (an earlier attempt stored it and died before its database
 * commit) is adopted instead of generating another; the root is made for it then.
 */
@ApplicationScoped
public class CaRoots {

    private static final Logger LOG = Logger.getLogger(CaRoots.class);

    private final CryptoToken token;
    private final X509Encoder encoder;
    private final SerialNumbers serials;

    public CaRoots(CryptoToken token, X509Encoder encoder, SerialNumbers serials) {
        this.token = token;
        this.encoder = encoder;
        this.serials = serials;
    }

    /** The key under {@code alias}, found or generated, and its root from {@code now} for the authority's root validity. */
    byte[] keyAndRoot(CaConfig.Authority authority, String alias, String subjectDn, Instant now, String making) {
        SigningAlgorithm algorithm = SigningAlgorithm.forKey(authority.keyType());
        CryptoToken.StoredKey key = token.find(alias).map(found -> {
            LOG.warnf("Adopting key '%s' already in the token (an earlier %s stopped before recording it)", alias, making);
            return found;
        }).orElseGet(() -> token.generate(authority.keyType(), alias));
        Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = notBefore.atOffset(ZoneOffset.UTC).plusYears(authority.rootValidityYears()).toInstant();
        return encoder.selfSignedRoot(subjectDn, serials.next(), notBefore, notAfter, key.publicKey(), algorithm,
                tbs -> token.sign(alias, algorithm, tbs));
    }
}
