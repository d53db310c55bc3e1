package jp.inkan.ocsp.access;

/**
 * A token bucket refilled at {@code ratePerSecond}, holding at most one second's worth (the burst).
 * Lock-free enough for the I/O threads: one synchronized block of a few arithmetic operations.
 */
final class TokenBucket {

    private final int ratePerSecond;
    private double tokens;
    private long lastMillis;

    TokenBucket(int ratePerSecond, long nowMillis) {
        this.ratePerSecond = ratePerSecond;
        this.tokens = ratePerSecond;
        this.lastMillis = nowMillis;
    }

    int rate() {
        return ratePerSecond;
    }

    synchronized boolean tryTake(long nowMillis) {
        if (nowMillis > lastMillis) {
            tokens = Math.min(ratePerSecond, tokens + (nowMillis - lastMillis) * ratePerSecond / 1000.0);
            lastMillis = nowMillis;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
