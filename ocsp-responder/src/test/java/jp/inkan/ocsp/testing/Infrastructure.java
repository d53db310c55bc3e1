package jp.inkan.ocsp.testing;

import java.util.Map;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.KafkaBroker;

/** The tests' own broker and the real ca-service publishing to it, stopped when the test JVM ends. */
public final class Infrastructure {

    private static boolean hooked;

    private Infrastructure() {
    }

    public static synchronized KafkaBroker start() {
        KafkaBroker broker = KafkaBroker.shared("ocsp-it");
        // Responder certificates of 3 minutes (ca-service backdates them 5): renewal is seen within a test.
        CaServiceProcess.start(Map.of("INKAN_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                "INKAN_CA_RESPONDER_VALIDITY", "PT3M"));
        if (!hooked) {
            // ca-service must not outlive the test JVM: it holds connections to the shared test database.
            Runtime.getRuntime().addShutdownHook(new Thread(CaServiceProcess::stop, "ca-service-stopper"));
            hooked = true;
        }
        return broker;
    }
}
