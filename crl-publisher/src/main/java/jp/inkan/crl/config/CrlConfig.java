package jp.inkan.crl.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/** What crl-publisher publishes, where and how often. Defaults live in application.properties. */
@ConfigMapping(prefix = "inkan.crl")
public interface CrlConfig {

    /** Where CRLs are written ({@code crl/<ca>/g<generation>/<partition>.crl}) and served from. */
    Path outputDir();

    /** Base of the URLs this service serves, for the Freshest CRL (delta) pointers. */
    String baseUrl();

    CaService caService();

    Events events();

    Schedule schedule();

    Authentication authentication();

    Access access();

    Audit audit();

    /** The audit trail's anchoring in ca-service and the aggregation of refused downloads. */
    interface Audit {
        /** How often the chain head is anchored in ca-service (also at shutdown); {@code off} for never. */
        @WithDefault("PT1M")
        String anchorEvery();

        /** Refused downloads are audited as one entry per caller and reason per this period. */
        @WithDefault("PT1M")
        String refusalsEvery();
    }

    /**
     * Who may download each CA's CRLs: {@code open} (anyone, plain HTTP as RFC 5280 expects) or
     * {@code mtls} (the HTTPS listener, a TLS client certificate of an active relying party entitled
     * to that CA). CRLs carry no request to sign, so there is no signed-request mode here.
     */
    interface Access {
        @WithDefault("open")
        CrlAccessMode signature();

        @WithDefault("open")
        CrlAccessMode authentication();

        @WithDefault("inkan.relying-parties")
        String registryTopic();

        /** The compacted usage topic the daily report reads (this replica's counts per day). */
        @WithDefault("inkan.relying-party-usage")
        String usageTopic();

        /** How often this replica's usage counts are published (also on demand and at shutdown). */
        @WithDefault("PT10S")
        java.time.Duration usagePublishInterval();
    }

    interface CaService {
        /** ca-service's mTLS API, e.g. https://localhost:8081. */
        String url();

        Path clientCertificate();

        Path clientKey();

        Path trust();

        @WithDefault("PT5M")
        Duration signTimeout();
    }

    interface Events {
        String bootstrapServers();

        @WithDefault("inkan.certificate-events")
        String topic();

        @WithDefault("crl-publisher")
        String groupId();

        @WithDefault("true")
        boolean enabled();

        /** How often the consumer asks the broker for the end offsets (consumer lag, broker contact). */
        @WithDefault("PT5S")
        Duration lagInterval();

        /** Not ready once the broker has not answered for this long: CRLs would miss revocations. */
        @WithDefault("PT30S")
        Duration brokerStaleAfter();
    }

    interface Schedule {
        /** How often the publisher looks for scopes due (tests switch the scheduler off). */
        @WithDefault("PT30S")
        Duration check();

        /** Complete CRLs (full and partitions) are issued this often ... */
        @WithDefault("P1D")
        Duration completeEvery();

        /** ... and are valid this much longer (nextUpdate = thisUpdate + completeEvery + completeOverlap). */
        @WithDefault("PT12H")
        Duration completeOverlap();

        /** Delta CRLs against the newest complete CRL of their scope; PT0S disables deltas. */
        @WithDefault("PT5M")
        Duration deltaEvery();

        @WithDefault("PT10M")
        Duration deltaOverlap();

        /** Rows fetched per round trip when streaming entries from the database. */
        @WithDefault("10000")
        int fetchSize();
    }

    interface Authentication {
        /**
         * Whether the authentication CA gets one CRL per municipality (as ca-service's
         * crl-url-template for it names one) besides its full CRL; false publishes only the full
         * CRL (then point that template at .../full.crl).
         */
        @WithDefault("true")
        boolean partitioned();
    }
}
