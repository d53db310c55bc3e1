package jp.inkan.ca.inventory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves concurrent callers' requests in batches, one batch at a time: what arrives while a batch
 * runs goes into the next one, so under load a database round trip (and a commit, for writes)
 * serves many callers, and with one caller nothing waits for company.
 *
 * <p>Nobody running a batch: the caller runs one on its own thread (no hand-off when load is
 * light) until its own request is served; what arrived meanwhile goes to this coalescer's thread,
 * so no caller is kept working for others. Callers wait on their own result, not on a lock: when a
 * batch completes, its callers wake at once, rather than one after another through a lock that
 * the next batch may already hold again.
 */
final class Coalescer<I, O> implements AutoCloseable {

    /** One batch: an answer for each input, in order. A failure fails every caller in the batch. */
    @FunctionalInterface
    interface Batch<I, O> {
        List<O> apply(List<I> inputs) throws Exception;
    }

    private final int maxBatch;
    private final Batch<I, O> batch;
    private final ConcurrentLinkedQueue<Waiting<I, O>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService thread;

    Coalescer(String threadName, int maxBatch, Batch<I, O> batch) {
        this.maxBatch = maxBatch;
        this.batch = batch;
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The answer to {@code input}, once the batch holding it has completed.
     *
     * @throws CompletionException with the batch's failure as its cause
     */
    O submit(I input) {
        Waiting<I, O> mine = new Waiting<>(input, new CompletableFuture<>());
        waiting.add(mine);
        if (running.compareAndSet(false, true)) {
            runUntilServed(mine);
        }
        return mine.result().join();
    }

    private void runUntilServed(Waiting<I, O> mine) {
        try {
            while (!mine.result().isDone()) {
                runBatch();
            }
        } catch (RuntimeException | Error e) {
            running.set(false); // runBatch failed its own batch; the next caller runs again
            throw e;
        }
        if (stillRunning()) {
            try {
                thread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                drain(); // shutting down: finish here rather than leave anyone waiting
            }
        }
    }

    /** On this coalescer's thread: runs batches until nothing waits. */
    private void drain() {
        try {
            do {
                while (!waiting.isEmpty()) {
                    runBatch();
                }
            } while (stillRunning());
        } catch (RuntimeException | Error e) {
            running.set(false);
            throw e;
        }
    }

    /**
     * Stops running batches, unless requests still wait and nobody else took over: a caller that
     * added its request after the last batch either runs one itself (its compare-and-set succeeds
     * once the flag is clear) or is seen here. True: still running.
     */
    private boolean stillRunning() {
        running.set(false);
        return !waiting.isEmpty() && running.compareAndSet(false, true);
    }

    private void runBatch() {
        List<Waiting<I, O>> taken = new ArrayList<>();
        for (Waiting<I, O> next; taken.size() < maxBatch && (next = waiting.poll()) != null; ) {
            taken.add(next);
        }
        if (taken.isEmpty()) {
            return;
        }
        try {
            List<O> answers = batch.apply(taken.stream().map(Waiting::input).toList());
            if (answers.size() != taken.size()) {
                throw new IllegalStateException(answers.size() + " answers to " + taken.size() + " requests");
            }
            for (int i = 0; i < taken.size(); i++) {
                taken.get(i).result().complete(answers.get(i));
            }
        } catch (Exception | Error e) {
            // Every taken request must complete, or its caller would wait for an answer that never comes.
            taken.forEach(w -> w.result().completeExceptionally(e));
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /** How many requests wait for a batch (counts them: for tests). */
    int waiting() {
        return waiting.size();
    }

    /** Lets the batch in flight complete; requests still waiting after that are failed, not left hanging. */
    @Override
    public void close() throws InterruptedException {
        thread.shutdown();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        for (Waiting<I, O> left; (left = waiting.poll()) != null; ) {
            left.result().completeExceptionally(new IllegalStateException("shut down before the request was served"));
        }
    }

    private record Waiting<I, O>(I input, CompletableFuture<O> result) {
    }
}
