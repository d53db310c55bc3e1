package jp.inkan.registration.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.time.ZoneId;

/** The one clock: Japan time, because ages and card expiry are Japanese calendar days. */
public class ClockProducer {

    public static final ZoneId JAPAN = ZoneId.of("Asia/Tokyo");

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.system(JAPAN);
    }
}
