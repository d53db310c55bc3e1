package jp.inkan.ca.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.util.List;
import jp.inkan.ca.error.CaException;
import jp.inkan.testing.Csrs;
import org.junit.jupiter.api.Test;

class KeyPolicyTest {

    final KeyPolicy rsa2048Only = new KeyPolicy(List.of(KeyType.RSA_2048));
    final KeyPolicy withEc = new KeyPolicy(List.of(KeyType.RSA_2048, KeyType.EC_P256));
    static final RSAPublicKey GOOD = (RSAPublicKey) Csrs.rsa(2048).getPublic();

    static String reason(Runnable check) {
        CaException e = assertThrows(CaException.class, check::run);
        assertEquals(CaException.Kind.KEY_REJECTED, e.kind());
        return e.getMessage();
    }

    @Test
    void acceptsAFreshRsa2048Key() {
        assertEquals(KeyType.RSA_2048, rsa2048Only.check(GOOD));
    }

    @Test
    void rejectsOtherSizesUnlessConfigured() {
        assertTrue(reason(() -> rsa2048Only.check(Csrs.rsa(1024).getPublic())).contains("RSA-1024 is not accepted"));
        RSAPublicKey rsa3072 = (RSAPublicKey) Csrs.rsa(3072).getPublic();
        assertTrue(reason(() -> rsa2048Only.check(rsa3072)).contains("RSA-3072"));
        assertEquals(KeyType.RSA_3072, new KeyPolicy(List.of(KeyType.RSA_3072)).check(rsa3072));
    }

    @Test
    void rejectsExponentOtherThan65537() {
        assertTrue(reason(() -> rsa2048Only.checkRsa(GOOD.getModulus(), BigInteger.valueOf(3))).contains("65537"));
    }

    @Test
    void rejectsEvenModulus() {
        BigInteger even = GOOD.getModulus().clearBit(0);
        assertTrue(reason(() -> rsa2048Only.checkRsa(even, KeyPolicy.F4)).contains("even"));
    }

    @Test
    void rejectsModulusWithASmallPrimeFactor() {
        // 997 (the largest prime below 1,000) times an odd cofactor just above 2^2047 / 997: 2048 bits, odd
        BigInteger cofactor = BigInteger.ONE.shiftLeft(2047).divide(BigInteger.valueOf(997))
                .add(BigInteger.valueOf(1_000_001)).setBit(0);
        BigInteger modulus = cofactor.multiply(BigInteger.valueOf(997));
        assertEquals(2048, modulus.bitLength());
        assertTrue(modulus.testBit(0));
        assertTrue(reason(() -> rsa2048Only.checkRsa(modulus, KeyPolicy.F4)).contains("small prime factor"));
    }

    @Test
    void everyPrimeBelowOneThousandIsFoundAndNoLargerOne() {
        java.util.Random random = new java.util.Random(7);
        BigInteger cofactor = BigInteger.probablePrime(1900, random); // no small factor
        for (int p = 2; p < 1_100; p++) {
            if (!BigInteger.valueOf(p).isProbablePrime(50)) {
                continue;
            }
            BigInteger modulus = cofactor.multiply(BigInteger.valueOf(p));
            assertEquals(p < 1_000, KeyPolicy.hasSmallPrimeFactor(modulus), "factor " + p);
        }
        assertFalse(KeyPolicy.hasSmallPrimeFactor(cofactor.multiply(BigInteger.probablePrime(148, random))));
    }

    @Test
    void rejectsModulusWhosePrimesAreTooClose() {
        BigInteger p2 = BigInteger.ONE.shiftLeft(1023).add(BigInteger.ONE.shiftLeft(1022)).nextProbablePrime();
        BigInteger q2 = p2.add(BigInteger.valueOf(1_000_000)).nextProbablePrime();
        BigInteger close = p2.multiply(q2);
        assertEquals(2048, close.bitLength());
        assertTrue(reason(() -> rsa2048Only.checkRsa(close, KeyPolicy.F4)).contains("Fermat"));
        assertTrue(KeyPolicy.fermatFactorable(close));
        assertTrue(!KeyPolicy.fermatFactorable(GOOD.getModulus()));
    }

    @Test
    void fermatScreenAgreesWithPlainFermatAroundTheRoundLimit() {
        // gaps near 2^516 put the hit around round 50; 2^520 is far beyond 100 rounds
        java.util.Random random = new java.util.Random(7);
        int factorable = 0;
        for (int bits = 510; bits <= 521; bits++) {
            BigInteger p = new BigInteger(1023, 40, random).setBit(1022);
            BigInteger q = p.add(BigInteger.ONE.shiftLeft(bits)).add(BigInteger.valueOf(random.nextInt(1 << 20))).nextProbablePrime();
            BigInteger n = p.multiply(q);
            boolean expected = plainFermat(n, 100);
            assertEquals(expected, KeyPolicy.fermatFactorable(n), "gap 2^" + bits);
            factorable += expected ? 1 : 0;
        }
        assertTrue(factorable > 0 && factorable < 12, "the gaps straddle the limit: " + factorable);
    }

    @Test
    void remainderAgreesWithBigIntegerMod() {
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 2000; i++) {
            BigInteger x = new BigInteger(1 + random.nextInt(4096), random);
            long m = 1 + random.nextInt(Integer.MAX_VALUE);
            assertEquals(x.mod(BigInteger.valueOf(m)).longValue(), KeyPolicy.remainder(x, m), x + " mod " + m);
        }
    }

    /** Fermat's method straight from the definition, with the JDK's square root. */
    private static boolean plainFermat(BigInteger n, int rounds) {
        BigInteger a = n.sqrt();
        if (!a.multiply(a).equals(n)) {
            a = a.add(BigInteger.ONE);
        }
        for (int k = 0; k < rounds; k++, a = a.add(BigInteger.ONE)) {
            BigInteger b2 = a.multiply(a).subtract(n);
            BigInteger b = b2.sqrt();
            if (b.multiply(b).equals(b2)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void ecP256OnlyWhenConfiguredAndOnlyOnTheCurve() {
        KeyPair ec = Csrs.ecP256();
        ECPublicKey key = (ECPublicKey) ec.getPublic();
        assertTrue(reason(() -> rsa2048Only.check(key)).contains("EC keys are not accepted"));
        assertEquals(KeyType.EC_P256, withEc.check(key));
        ECPoint off = new ECPoint(key.getW().getAffineX(), key.getW().getAffineY().add(BigInteger.ONE));
        assertTrue(reason(() -> withEc.checkEc(key.getParams(), off)).contains("not a point on P-256"));
    }

    @Test
    void integerSquareRootAgreesWithTheJdk() {
        java.util.Random random = new java.util.Random(7);
        for (int bits : new int[] {1, 2, 5, 63, 64, 100, 104, 105, 106, 107, 211, 1024, 2047, 2048, 3072, 4095, 4096}) {
            for (int i = 0; i < 20; i++) {
                BigInteger n = new BigInteger(bits, random);
                assertEquals(n.sqrt(), KeyPolicy.isqrt(n), n.toString(16));
                BigInteger square = n.multiply(n);
                assertEquals(n, KeyPolicy.isqrt(square));
                if (n.signum() > 0) {
                    assertEquals(n.subtract(BigInteger.ONE), KeyPolicy.isqrt(square.subtract(BigInteger.ONE)));
                }
                // all ones: the top-half root is at its largest against the number
                BigInteger ones = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
                assertEquals(ones.sqrt(), KeyPolicy.isqrt(ones), "2^" + bits + " - 1");
            }
        }
    }
}
