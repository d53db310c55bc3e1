package jp.inkan.ca.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.inventory.CertificateStore;
import jp.inkan.testing.Csrs;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuedCertificate;
import org.junit.jupiter.api.Test;

/** A serial that is already taken is never issued twice: the CA signs again with a new one. */
@QuarkusTest
@TestProfile(SerialCollisionTest.ScriptedSerialsProfile.class)
class SerialCollisionTest {

    public static class ScriptedSerialsProfile implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(ScriptedSerials.class);
        }
    }

    /** Hands out the scripted serials first, then random ones. */
    @Alternative
    @ApplicationScoped
    public static class ScriptedSerials implements SerialNumbers {
        private final Deque<BigInteger> script = new ArrayDeque<>();
        private final RandomSerialNumbers random = new RandomSerialNumbers();

        @Override
        public synchronized BigInteger next() {
            return script.isEmpty() ? random.next() : script.poll();
        }

        public synchronized void enqueue(BigInteger serial, int times) {
            for (int i = 0; i < times; i++) {
                script.add(serial);
            }
        }
    }

    @Inject
    IssuanceService issuance;

    @Inject
    ScriptedSerials serials;

    @Inject
    CertificateStore store;

    @Test
    void aCollidingSerialIsReplacedAndNothingIsIssuedTwice() {
        IssuedCertificate first = issuance.issue(Requests.typical(CertificateType.SIGNATURE, Csrs.freshRsa()));
        BigInteger taken = new BigInteger(first.serial(), 16);
        long before = store.total();

        serials.enqueue(taken, 2);
        IssuedCertificate second = issuance.issue(Requests.typical(CertificateType.SIGNATURE, Csrs.freshRsa()));
        assertNotEquals(first.serial(), second.serial());
        assertEquals(before + 1, store.total());

        // the same serial is free in the other CA: uniqueness is per CA
        serials.enqueue(taken, 1);
        IssuedCertificate other = issuance.issue(Requests.typical(CertificateType.AUTHENTICATION, Csrs.freshRsa()));
        assertEquals(first.serial(), other.serial());
    }

    @Test
    void givesUpWithAClearErrorWhenEveryAttemptCollides() {
        IssuedCertificate first = issuance.issue(Requests.typical(CertificateType.AUTHENTICATION, Csrs.freshRsa()));
        BigInteger taken = new BigInteger(first.serial(), 16);
        long before = store.total();
        serials.enqueue(taken, 5);
        CaException e = assertThrows(CaException.class,
                () -> issuance.issue(Requests.typical(CertificateType.AUTHENTICATION, Csrs.freshRsa())));
        assertEquals(CaException.Kind.SERIAL_EXHAUSTED, e.kind());
        assertEquals(before, store.total());
    }
}
