package jp.inkan.ca.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.Test;

class X509EncoderTimeTest {

    @Test
    void encodesLikeBouncyCastlesDateConstructorAcrossTheUtcTimeBoundary() throws Exception {
        for (String at : new String[] {"2026-01-02T03:04:05Z", "2031-12-31T14:59:59Z", "2049-12-31T23:59:59Z",
                "2050-01-01T00:00:00Z", "2099-07-09T10:11:12Z", "1999-02-28T23:00:01Z"}) {
            Instant instant = Instant.parse(at);
            Time ours = X509Encoder.time(instant);
            // Time(Date) picks UTCTime for 1950-2049 and GeneralizedTime otherwise, as RFC 5280 requires
            assertArrayEquals(new Time(Date.from(instant)).getEncoded("DER"), ours.getEncoded("DER"), at);
            assertEquals(Date.from(instant), ours.getDate(), at);
        }
    }
}
