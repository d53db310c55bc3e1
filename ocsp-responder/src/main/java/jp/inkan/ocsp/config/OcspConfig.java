package jp.inkan.ocsp.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Everything the responder is told, validated at start. */
@ConfigMapping(prefix = "inkan.ocsp")
public interface OcspConfig {

    Responses responses();

    Requests requests();

    Store store();

    CaService caService();

    ResponderCertificates responderCertificates();

    Access access();

    Audit audit();

    /** The relying parties' HTTPS listener's TLS engine: {@code openssl} (BoringSSL, where it loads) or {@code jdk}. */
    @WithDefault("openssl")
    Engine tlsEngine();

    enum Engine { OPENSSL, JDK }

    /** The audit file (README "Audit trail"): disk syncs, refusal aggregation, anchoring in ca-service. */
    interface Audit {
        @WithDefault("PT1S")
        Duration syncEvery();

        @WithDefault("PT1M")
        Duration refusalsEvery();

        /** {@code off} for never (tests anchor explicitly). */
        @WithDefault("PT1M")
        String anchorEvery();
    }

    /** Who may ask about each CA: {@code open} (default), {@code mtls} or {@code signed-request}. */
    interface Access {
        @WithDefault("open")
        jp.inkan.ocsp.access.AccessMode signature();

        @WithDefault("open")
        jp.inkan.ocsp.access.AccessMode authentication();

        /** The compacted relying-party registry topic (records keyed by relying-party id). */
        @NotBlank
        @WithDefault("inkan.relying-parties")
        String registryTopic();

        /** The compacted usage topic the daily report reads (this replica's counts per day, key service/replica/day). */
        @NotBlank
        @WithDefault("inkan.relying-party-usage")
        String usageTopic();

        /** How often this replica's usage counts are published (also on demand and at shutdown). */
        @WithDefault("PT10S")
        Duration usagePublishInterval();
    }

    interface Responses {
        /** nextUpdate = thisUpdate + this, for every answer (pre-signed or fresh). */
        @WithDefault("PT1H")
        Duration validity();

        /** A cached (no-nonce) response is re-signed once less than this is left before its nextUpdate. */
        @WithDefault("PT15M")
        Duration refreshBefore();

        /** Cached pre-signed responses kept at most (least recently used dropped first). */
        @Min(1)
        @WithDefault("100000")
        int cacheSize();
    }

    interface Requests {
        /** CertIDs per request; more is answered with malformedRequest (RFC 5019 §2.1.1 asks for one). */
        @Min(1)
        @Max(100)
        @WithDefault("10")
        int maxCertificates();

        /** RFC 8954 §2.1: responders may refuse nonces over 32 octets. */
        @Min(1)
        @Max(128)
        @WithDefault("32")
        int maxNonceLength();

        /** Larger POST bodies (and GET requests) are refused with HTTP 413 before parsing. */
        @Min(256)
        @Max(1048576)
        @WithDefault("8192")
        int maxBodyBytes();
    }

    interface Store {
        /** Snapshot directory (also holds the responder certificates). */
        Path stateDir();

        @WithDefault("PT1M")
        Duration snapshotInterval();

        /** Poll timeout of the consumer loop. */
        @WithDefault("PT0.5S")
        Duration pollTimeout();

        /**
         * Remember, per certificate, the revisions applied since this process started, listed on the
         * management port; for tests that prove no event is applied twice. Costs memory: off in production.
         */
        @WithDefault("false")
        boolean trackApplies();

        /** How often the consumer asks the broker for the end offsets (consumer lag, broker contact). */
        @WithDefault("PT5S")
        Duration lagInterval();

        /**
         * Not ready once the broker has not answered for this long: the store would no longer follow
         * revocations, and answers signed now would claim a freshness they do not have.
         */
        @WithDefault("PT30S")
        Duration brokerStaleAfter();
    }

    interface CaService {
        @NotBlank
        String url();

        /** PEM client certificate and key of this responder, and the service CA that signs ca-service's. */
        Path clientCertificate();

        Path clientKey();

        Path trust();

        @WithDefault("PT10S")
        Duration timeout();

        /** How often the list of CA key generations is fetched again. */
        @WithDefault("PT5M")
        Duration refreshInterval();
    }

    interface ResponderCertificates {
        /** Renew once less than this fraction of the certificate's life remains. */
        @DecimalMin("0.01")
        @DecimalMax("0.99")
        @WithDefault("0.3")
        double renewWhenRemaining();

        @WithDefault("PT1M")
        Duration checkInterval();

        /** The responder key's token. */
        Hsm hsm();
    }

    interface Hsm {
        @NotBlank
        String library();

        Optional<Long> slot();

        Optional<Integer> slotListIndex();

        /** Environment variable holding the user PIN. */
        @WithDefault("INKAN_HSM_PIN")
        String pinEnv();

        /** File holding the user PIN (first line); wins over {@link #pinEnv()}. */
        Optional<Path> pinFile();

        /** Key label prefix in the token: {prefix}-{ca}-g{NN}. */
        @WithDefault("ocsp")
        String keyAliasPrefix();

        @Min(0)
        @Max(10)
        @WithDefault("3")
        int reopenAttempts();
    }
}
