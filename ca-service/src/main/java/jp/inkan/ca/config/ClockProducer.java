package jp.inkan.ca.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.ZoneId;

/** The one source of "now": tests replace it to move time. */
public class ClockProducer {

    /** Validity dates follow the calendar in Japan. */
    public static final ZoneId JAPAN = ZoneId.of("Asia/Tokyo");

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
