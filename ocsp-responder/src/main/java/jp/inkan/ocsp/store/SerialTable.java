package jp.inkan.ocsp.store;

import java.math.BigInteger;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BiConsumer;

/**
 * The statuses under one issuing key: an open-addressing hash table of serial → packed status in
 * three parallel {@code long[]} (serial high and low 64 bits, packed status), so an entry costs 24
 * bytes of table (about 32–64 bytes with the load factor between 0.375 and 0.75) and no object.
 * Serials longer than 128 bits (RFC 5280 allows 20 octets; ca-service makes 127-bit ones) go to a
 * small side map.
 *
 * <p>One writer (the event consumer thread), many readers (HTTP workers): readers take an
 * optimistic stamp and retry under the read lock if a write intervened.
 */
final class SerialTable {

    private static final BigInteger MASK64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private static final class Slots {
        final long[] hi;
        final long[] lo;
        final long[] value;

        Slots(int capacity) {
            hi = new long[capacity];
            lo = new long[capacity];
            value = new long[capacity];
        }
    }

    private final StampedLock lock = new StampedLock();
    private volatile Slots slots = new Slots(1024);
    private int size;
    private final Map<BigInteger, Long> longSerials = new ConcurrentHashMap<>();

    long get(BigInteger serial) {
        long stamp = lock.tryOptimisticRead();
        long found = lookup(serial);
        if (!lock.validate(stamp)) {
            stamp = lock.readLock();
            try {
                found = lookup(serial);
            } finally {
                lock.unlockRead(stamp);
            }
        }
        return found;
    }

    /** Single writer only. */
    void put(BigInteger serial, long packed) {
        if (serial.signum() < 0 || serial.bitLength() > 128) {
            long stamp = lock.writeLock();
            try {
                longSerials.put(serial, packed);
            } finally {
                lock.unlockWrite(stamp);
            }
            return;
        }
        long hi = serial.shiftRight(64).longValue();
        long lo = serial.and(MASK64).longValue();
        long stamp = lock.writeLock();
        try {
            Slots s = slots;
            int mask = s.value.length - 1;
            int i = index(hi, lo, mask);
            while (s.value[i] != 0) {
                if (s.hi[i] == hi && s.lo[i] == lo) {
                    s.value[i] = packed;
                    return;
                }
                i = (i + 1) & mask;
            }
            s.hi[i] = hi;
            s.lo[i] = lo;
            s.value[i] = packed;
            if (++size > s.value.length * 3L / 4) {
                grow();
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    int size() {
        return size + longSerials.size();
    }

    /** Every entry; call from the writer thread only (or when no writer runs). */
    void forEach(BiConsumer<BigInteger, Long> action) {
        Slots s = slots;
        for (int i = 0; i < s.value.length; i++) {
            if (s.value[i] != 0) {
                action.accept(serial(s.hi[i], s.lo[i]), s.value[i]);
            }
        }
        longSerials.forEach(action);
    }

    private long lookup(BigInteger serial) {
        if (serial.signum() < 0 || serial.bitLength() > 128) {
            return longSerials.getOrDefault(serial, 0L);
        }
        long hi = serial.shiftRight(64).longValue();
        long lo = serial.and(MASK64).longValue();
        Slots s = slots;
        int mask = s.value.length - 1;
        int i = index(hi, lo, mask);
        for (int probes = 0; probes <= mask; probes++) {
            long v = s.value[i];
            if (v == 0) {
                return 0;
            }
            if (s.hi[i] == hi && s.lo[i] == lo) {
                return v;
            }
            i = (i + 1) & mask;
        }
        return 0;
    }

    private void grow() {
        Slots old = slots;
        Slots bigger = new Slots(old.value.length * 2);
        int mask = bigger.value.length - 1;
        for (int j = 0; j < old.value.length; j++) {
            if (old.value[j] != 0) {
                int i = index(old.hi[j], old.lo[j], mask);
                while (bigger.value[i] != 0) {
                    i = (i + 1) & mask;
                }
                bigger.hi[i] = old.hi[j];
                bigger.lo[i] = old.lo[j];
                bigger.value[i] = old.value[j];
            }
        }
        slots = bigger;
    }

    private static int index(long hi, long lo, int mask) {
        // Serials are random, but mix anyway: sequential serials from another CA must not cluster.
        long h = (hi * 0x9E3779B97F4A7C15L) ^ lo;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    private static BigInteger serial(long hi, long lo) {
        BigInteger low = BigInteger.valueOf(lo).and(MASK64);
        return BigInteger.valueOf(hi).and(MASK64).shiftLeft(64).or(low);
    }
}
