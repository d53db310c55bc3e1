package jp.inkan.ca.inventory;

/**
 * When the inventory writer sends a batch onto the audit chain head it remembers. A head found
 * moved costs the attempt's round trip and its rolled-back inserts, so after each miss the writer
 * writes the usual way for twice as many batches as after the one before (at most {@link #MAX}):
 * a single replica, whose head moves only on the odd revocation or refusal, tries again at once,
 * while replicas issuing side by side, which keep moving each other's head, soon try only rarely.
 * One writer at a time uses it (the store's writer hand-off orders them); not thread-safe itself.
 */
final class KnownHeadBackoff {

    static final int MAX = 256;

    private int skip;
    private int nextSkip = 1;

    /** Whether this batch should try the remembered head. */
    boolean tryKnownHead() {
        if (skip > 0) {
            skip--;
            return false;
        }
        return true;
    }

    /** The remembered head was still the head. */
    void hit() {
        nextSkip = 1;
    }

    /** The head had moved. */
    void missed() {
        skip = nextSkip;
        nextSkip = Math.min(MAX, nextSkip * 2);
    }
}
