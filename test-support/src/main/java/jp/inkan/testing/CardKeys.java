package jp.inkan.testing;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Distinct RSA-2048 card keys, fast: moduli are products of pairs from a pool of 1024-bit primes
 * (n primes give n(n-1)/2 keys), so tens of thousands of CSRs cost seconds instead of the
 * minutes real key generation would take. Each key is a valid RSA key with e = 65537 that passes
 * the CA's key policy (only a batch-GCD check across keys would notice the shared primes, and
 * the CA does not do one).
 */
public final class CardKeys {

    private static final BigInteger E = BigInteger.valueOf(65537);
    private final List<BigInteger> primes;
    private int i = 0;
    private int j = 1;

    public CardKeys(int primeCount) {
        SecureRandom random = new SecureRandom();
        primes = IntStream.range(0, primeCount).parallel().mapToObj(k -> {
            while (true) {
                BigInteger p = BigInteger.probablePrime(1024, random).setBit(1023).setBit(1022);
                if (p.isProbablePrime(64) && p.subtract(BigInteger.ONE).gcd(E).equals(BigInteger.ONE)) {
                    return p;
                }
            }
        }).distinct().toList();
    }

    /** PEM CSRs for {@code count} keys never handed out before. */
    public List<String> csrs(int count) {
        List<BigInteger[]> pairs = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            pairs.add(new BigInteger[] {primes.get(i), primes.get(j)});
            if (++j == primes.size()) {
                i++;
                j = i + 1;
                if (j >= primes.size()) {
                    throw new IllegalStateException("prime pool exhausted");
                }
            }
        }
        return pairs.parallelStream().map(pq -> Csrs.pem(keyPair(pq[0], pq[1]))).toList();
    }

    private static KeyPair keyPair(BigInteger p, BigInteger q) {
        try {
            BigInteger n = p.multiply(q);
            BigInteger pm1 = p.subtract(BigInteger.ONE);
            BigInteger qm1 = q.subtract(BigInteger.ONE);
            BigInteger d = E.modInverse(pm1.divide(pm1.gcd(qm1)).multiply(qm1));
            KeyFactory factory = KeyFactory.getInstance("RSA");
            return new KeyPair(factory.generatePublic(new RSAPublicKeySpec(n, E)),
                    factory.generatePrivate(new RSAPrivateCrtKeySpec(n, E, d, p, q, d.mod(pm1), d.mod(qm1),
                            q.modInverse(p))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
