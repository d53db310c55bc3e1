package jp.inkan.ca.issuance;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import jp.inkan.ca.error.CaException;

/**
 * Which subject keys this CA certifies. Beyond type and size, an RSA key must have e = 65537, an
 * odd modulus with no prime factor below 1,000, and primes not so close that Fermat's method
 * factors it; an EC key must be a point on P-256. Key reuse is caught by the inventory.
 */
public final class KeyPolicy {

    static final BigInteger F4 = BigInteger.valueOf(65537);
    /** Products of consecutive primes below 1,000, each under 2^31 so a remainder is one cheap pass. */
    private static final long[][] SMALL_PRIME_GROUPS = smallPrimeGroups(1_000);
    private static final int FERMAT_ROUNDS = 100;

    /** secp256r1 (FIPS 186 P-256) domain parameters. */
    private static final BigInteger P256_P = new BigInteger(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    private static final BigInteger P256_A = P256_P.subtract(BigInteger.valueOf(3));
    private static final BigInteger P256_B = new BigInteger(
            "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);
    private static final BigInteger P256_N = new BigInteger(
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

    private final Set<KeyType> allowed;

    public KeyPolicy(Collection<KeyType> allowed) {
        this.allowed = allowed.isEmpty() ? EnumSet.noneOf(KeyType.class) : EnumSet.copyOf(allowed);
    }

    /** The key's type when it is acceptable. */
    public KeyType check(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return checkRsa(rsa.getModulus(), rsa.getPublicExponent());
        }
        if (key instanceof ECPublicKey ec) {
            return checkEc(ec.getParams(), ec.getW());
        }
        throw rejected("key algorithm " + key.getAlgorithm() + " is not accepted; accepted: " + describeAllowed());
    }

    KeyType checkRsa(BigInteger modulus, BigInteger exponent) {
        KeyType type = switch (modulus.bitLength()) {
            case 2048 -> KeyType.RSA_2048;
            case 3072 -> KeyType.RSA_3072;
            case 4096 -> KeyType.RSA_4096;
            default -> null;
        };
        if (type == null || !allowed.contains(type)) {
            throw rejected("RSA-" + modulus.bitLength() + " is not accepted; accepted: " + describeAllowed());
        }
        if (!F4.equals(exponent)) {
            throw rejected("RSA public exponent must be 65537");
        }
        if (!modulus.testBit(0)) {
            throw rejected("RSA modulus is even");
        }
        if (hasSmallPrimeFactor(modulus)) {
            throw rejected("RSA modulus has a small prime factor");
        }
        if (fermatFactorable(modulus)) {
            throw rejected("RSA modulus factors by Fermat's method (its primes are too close)");
        }
        return type;
    }

    KeyType checkEc(ECParameterSpec params, ECPoint point) {
        if (!allowed.contains(KeyType.EC_P256)) {
            throw rejected("EC keys are not accepted; accepted: " + describeAllowed());
        }
        if (!(params.getCurve().getField() instanceof ECFieldFp field)
                || !field.getP().equals(P256_P)
                || !params.getCurve().getA().equals(P256_A)
                || !params.getCurve().getB().equals(P256_B)
                || !params.getOrder().equals(P256_N)) {
            throw rejected("only the P-256 curve is accepted");
        }
        if (point.equals(ECPoint.POINT_INFINITY)) {
            throw rejected("EC public key is the point at infinity");
        }
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        if (x.signum() < 0 || x.compareTo(P256_P) >= 0 || y.signum() < 0 || y.compareTo(P256_P) >= 0
                || !y.multiply(y).subtract(x.pow(3).add(P256_A.multiply(x)).add(P256_B)).mod(P256_P).equals(BigInteger.ZERO)) {
            throw rejected("EC public key is not a point on P-256");
        }
        return KeyType.EC_P256;
    }

    /**
     * True when {@code n = a^2 - b^2} turns up within a few steps up from ceil(sqrt(n)). Each
     * candidate b^2 is screened by its residues modulo 64, 63, 65 and 11, tracked in a long, and
     * only the rare survivor (under 1%) gets a square root: the 100 rounds cost one square root
     * and almost no allocation.
     */
    static boolean fermatFactorable(BigInteger n) {
        BigInteger a = isqrt(n);
        if (a.multiply(a).equals(n)) {
            return true;
        }
        a = a.add(BigInteger.ONE);
        BigInteger b2 = a.multiply(a).subtract(n);
        long b2Residue = remainder(b2, RESIDUE_MODULUS);
        long twiceA = 2 * remainder(a, RESIDUE_MODULUS);
        for (int k = 0; k < FERMAT_ROUNDS; k++) {
            // b2 for round k is (a+k)^2 - n; residue updated by 2(a+k) + 1
            if (residuesAllowSquare(b2Residue)) {
                BigInteger ak = a.add(BigInteger.valueOf(k));
                BigInteger candidate = ak.multiply(ak).subtract(n);
                BigInteger root = isqrt(candidate);
                if (root.multiply(root).equals(candidate)) {
                    return true;
                }
            }
            b2Residue = (b2Residue + twiceA + 2L * k + 1) % RESIDUE_MODULUS;
        }
        return false;
    }

    private static final long RESIDUE_MODULUS = 64L * 63 * 65 * 11;
    private static final boolean[] SQUARE_MOD_64 = squaresModulo(64);
    private static final boolean[] SQUARE_MOD_63 = squaresModulo(63);
    private static final boolean[] SQUARE_MOD_65 = squaresModulo(65);
    private static final boolean[] SQUARE_MOD_11 = squaresModulo(11);

    private static boolean residuesAllowSquare(long r) {
        return SQUARE_MOD_64[(int) (r & 63)] && SQUARE_MOD_63[(int) (r % 63)] && SQUARE_MOD_65[(int) (r % 65)]
                && SQUARE_MOD_11[(int) (r % 11)];
    }

    /** {@code x mod m} for non-negative x and 0 < m < 2^31, from x's bytes without BigInteger division. */
    static long remainder(BigInteger x, long m) {
        return remainder(x.toByteArray(), m);
    }

    private static long remainder(byte[] bigEndian, long m) {
        long r = 0;
        int i = bigEndian.length % 3;
        for (int k = 0; k < i; k++) {
            r = ((r << 8) | (bigEndian[k] & 0xff)) % m;
        }
        for (; i < bigEndian.length; i += 3) { // 24 bits at a time keeps r << 24 below 2^55
            r = ((r << 24) | ((bigEndian[i] & 0xff) << 16) | ((bigEndian[i + 1] & 0xff) << 8) | (bigEndian[i + 2] & 0xff)) % m;
        }
        return r;
    }

    /**
     * floor(sqrt(n)). Above 104 bits: the root of n's top half, scaled back, is within 2^k of
     * the root, and one Newton step from there leaves it at most 1 too high; so a 2048-bit modulus
     * costs about one full-size division instead of the five or six of plain Newton iteration.
     */
    static BigInteger isqrt(BigInteger n) {
        int bits = n.bitLength();
        if (bits <= SMALL_ROOT_BITS) {
            return smallIsqrt(n);
        }
        int k = bits / 4 - 1; // so the step's error, at most 4^k / (2 sqrt(n)), is under 1/4
        BigInteger x = isqrt(n.shiftRight(2 * k)).add(BigInteger.ONE).shiftLeft(k); // above the root
        x = x.add(n.divide(x)).shiftRight(1);
        while (x.multiply(x).compareTo(n) > 0) {
            x = x.subtract(BigInteger.ONE);
        }
        return x;
    }

    private static final int SMALL_ROOT_BITS = 104;

    /** Newton's method from a floating-point estimate, which up to 104 bits is all but exact. */
    private static BigInteger smallIsqrt(BigInteger n) {
        if (n.compareTo(BigInteger.TWO) < 0) {
            return n;
        }
        BigInteger x = BigInteger.valueOf((long) Math.sqrt(n.doubleValue()) + 2); // above the root
        while (true) {
            BigInteger next = x.add(n.divide(x)).shiftRight(1);
            if (next.compareTo(x) >= 0) {
                return x;
            }
            x = next;
        }
    }

    private static boolean[] squaresModulo(int modulus) {
        boolean[] square = new boolean[modulus];
        for (int k = 0; k < modulus; k++) {
            square[(k * k) % modulus] = true;
        }
        return square;
    }

    private String describeAllowed() {
        return allowed.stream().map(Enum::name).sorted().collect(Collectors.joining(", "));
    }

    private static CaException rejected(String why) {
        return new CaException(CaException.Kind.KEY_REJECTED, "The CSR's key is rejected: " + why + ".");
    }

    /**
     * Trial division by every prime below 1,000 without dividing the 2048-bit modulus 50 times:
     * one remainder by the product of all those primes (about 1,400 bits), one by each chunk's
     * product (a few hundred bits), and only then cheap 31-bit remainders of short numbers.
     */
    static boolean hasSmallPrimeFactor(BigInteger n) {
        BigInteger r = n.mod(SMALL_PRIMES_PRODUCT);
        for (SmallPrimeChunk chunk : SMALL_PRIME_CHUNKS) {
            byte[] bytes = r.mod(chunk.product()).toByteArray();
            for (long[] group : chunk.groups()) {
                long remainder = remainder(bytes, group[0]);
                for (int k = 1; k < group.length; k++) {
                    if (remainder % group[k] == 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Consecutive groups of {@link #SMALL_PRIME_GROUPS} and the product of all their primes. */
    private record SmallPrimeChunk(BigInteger product, long[][] groups) {
    }

    private static final int GROUPS_PER_CHUNK = 6;
    private static final SmallPrimeChunk[] SMALL_PRIME_CHUNKS = smallPrimeChunks();
    private static final BigInteger SMALL_PRIMES_PRODUCT = java.util.Arrays.stream(SMALL_PRIME_CHUNKS)
            .map(SmallPrimeChunk::product).reduce(BigInteger.ONE, BigInteger::multiply);

    private static SmallPrimeChunk[] smallPrimeChunks() {
        java.util.List<SmallPrimeChunk> chunks = new java.util.ArrayList<>();
        for (int from = 0; from < SMALL_PRIME_GROUPS.length; from += GROUPS_PER_CHUNK) {
            long[][] groups = java.util.Arrays.copyOfRange(SMALL_PRIME_GROUPS, from,
                    Math.min(from + GROUPS_PER_CHUNK, SMALL_PRIME_GROUPS.length));
            BigInteger product = java.util.Arrays.stream(groups).map(g -> BigInteger.valueOf(g[0]))
                    .reduce(BigInteger.ONE, BigInteger::multiply);
            chunks.add(new SmallPrimeChunk(product, groups));
        }
        return chunks.toArray(SmallPrimeChunk[]::new);
    }

    /** Each row: the product of its primes, then the primes. */
    private static long[][] smallPrimeGroups(int limit) {
        boolean[] composite = new boolean[limit];
        java.util.List<long[]> groups = new java.util.ArrayList<>();
        java.util.List<Long> current = new java.util.ArrayList<>();
        long product = 1;
        for (int i = 2; i < limit; i++) {
            if (composite[i]) {
                continue;
            }
            for (long j = (long) i * i; j < limit; j += i) {
                composite[(int) j] = true;
            }
            if (product * i >= Integer.MAX_VALUE) {
                groups.add(group(product, current));
                current.clear();
                product = 1;
            }
            current.add((long) i);
            product *= i;
        }
        groups.add(group(product, current));
        return groups.toArray(long[][]::new);
    }

    private static long[] group(long product, java.util.List<Long> primes) {
        long[] row = new long[primes.size() + 1];
        row[0] = product;
        for (int k = 0; k < primes.size(); k++) {
            row[k + 1] = primes.get(k);
        }
        return row;
    }
}
