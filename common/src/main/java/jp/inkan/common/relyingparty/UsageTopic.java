package jp.inkan.common.relyingparty;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Relying-party usage on Kafka, so the daily report survives restarts: one compacted topic, one
 * partition, key = {@code service/replica/day}, value = that process's counts per caller for that
 * Japan-time day ({@link Entry}), republished as they grow. A replica is one process run (a restart
 * is a new replica), so no process ever needs to read its predecessor's counts and the report is
 * the sum over every replica's last record for the day. Records are deleted after
 * {@link #RETENTION} (beyond the 35 days a replica keeps in memory).
 */
public final class UsageTopic {

    public static final String TOPIC = "inkan.relying-party-usage";
    public static final int SCHEMA = 1;
    public static final Duration RETENTION = Duration.ofDays(40);
    /** Partitions: one, as the registry's ({@link RegistryTopic#PARTITIONS}). */
    public static final int PARTITIONS = RegistryTopic.PARTITIONS;
    /**
     * The topic's settings: compacted (newest record per key) and deleted after {@link #RETENTION}.
     * {@link #ensure} creates the topic so, and k8s/ declares it so (deploy-tests compares).
     */
    public static final Map<String, String> SETTINGS = Map.of("cleanup.policy", "compact,delete",
            "retention.ms", Long.toString(RETENTION.toMillis()));

    /** One replica's counts for one day. */
    public record Entry(int schema, String service, String replica, String day, Map<String, Usage.Counts> callers) {
        public String key() {
            return service + "/" + replica + "/" + day;
        }
    }

    private UsageTopic() {
    }

    /** Creates the topic if it is missing: {@link #PARTITIONS}, {@link #SETTINGS}, the broker's default replication. */
    public static void ensure(String bootstrap, String topic) {
        RegistryTopic.ensure(bootstrap, topic, PARTITIONS, SETTINGS);
    }

    static String json(Entry entry) {
        try {
            return RegistryTopic.JSON.writeValueAsString(entry);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The daily report: every replica's last counts for {@code day}, summed per caller; only
     * {@code service}'s replicas unless it is null. Unreadable records are skipped.
     */
    public static Map<String, Usage.Counts> report(String bootstrap, String topic, LocalDate day, String service) {
        ensure(bootstrap, topic);
        Map<String, Entry> newest = new HashMap<>();
        String suffix = "/" + day;
        RegistryTopic.readToEnd(bootstrap, topic, record -> {
            if (record.key() == null || !record.key().endsWith(suffix)) {
                return;
            }
            if (record.value() == null) {
                newest.remove(record.key());
                return;
            }
            try {
                Entry entry = RegistryTopic.JSON.readValue(record.value(), Entry.class);
                if (entry.schema() == SCHEMA && entry.callers() != null && (service == null || service.equals(entry.service()))) {
                    newest.put(record.key(), entry);
                }
            } catch (IOException e) {
                // not ours to judge further: a report counts what it can read
            }
        });
        Map<String, Usage.Counts> sums = new TreeMap<>();
        newest.values().forEach(entry -> entry.callers().forEach((caller, counts) -> sums.merge(caller, counts, Usage.Counts::plus)));
        return sums;
    }
}
