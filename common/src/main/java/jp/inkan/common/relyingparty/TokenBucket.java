package jp.inkan.common.relyingparty;

/**
 * A token bucket refilled at {@code ratePerSecond}, holding at most one second's worth (the burst).
 * Lock-free enough for the I/O threads: one synchronized block of a few arithmetic operations.
 */
public final class TokenBucket {

    private final int ratePerSecond;
    private double tokens;
    private long lastMillis;

    public TokenBucket(int ratePerSecond, long nowMillis) {
        this.ratePerSecond = ratePerSecond;
        this.tokens = ratePerSecond;
        this.lastMillis = nowMillis;
    }

    public int rate() {
        return ratePerSecond;
    }

    public synchronized boolean tryTake(long nowMillis) {
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
