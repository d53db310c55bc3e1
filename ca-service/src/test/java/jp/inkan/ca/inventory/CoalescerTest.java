package jp.inkan.ca.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoalescerTest {

    @Test
    void whatArrivesDuringABatchIsServedByTheNextOneInOrder() throws Exception {
        CountDownLatch firstBatchRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        try (Coalescer<Integer, Integer> coalescer = new Coalescer<>("test-coalescer", 64, inputs -> {
            batches.add(inputs);
            if (batches.size() == 1) {
                firstBatchRunning.countDown();
                release.await();
            }
            return inputs.stream().map(i -> i * 10).toList();
        })) {
            ExecutorService callers = Executors.newFixedThreadPool(9);
            Future<Integer> first = callers.submit(() -> coalescer.submit(0));
            assertTrue(firstBatchRunning.await(10, TimeUnit.SECONDS));
            List<Future<Integer>> later = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                int input = i;
                later.add(callers.submit(() -> coalescer.submit(input)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (coalescer.waiting() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(8, coalescer.waiting(), "the later callers wait instead of running batches of their own");
            release.countDown();
            assertEquals(0, first.get(10, TimeUnit.SECONDS));
            for (int i = 1; i <= 8; i++) {
                assertEquals(i * 10, later.get(i - 1).get(10, TimeUnit.SECONDS), "each caller gets its own answer");
            }
            callers.shutdown();
            assertEquals(List.of(0), batches.get(0));
            assertEquals(2, batches.size(), "the eight waiting requests went out as one batch: " + batches);
            assertEquals(8, batches.get(1).size());
        }
    }

    @Test
    void aFailedBatchFailsItsCallersAndTheNextCallerRunsAgain() throws Exception {
        try (Coalescer<String, String> coalescer = new Coalescer<>("test-coalescer", 64, inputs -> {
            if (inputs.contains("bad")) {
                throw new java.sql.SQLException("database down");
            }
            return inputs;
        })) {
            CompletionException failed = assertThrows(CompletionException.class, () -> coalescer.submit("bad"));
            assertInstanceOf(java.sql.SQLException.class, failed.getCause());
            assertEquals("good", coalescer.submit("good"));
        }
    }

    @Test
    void aBatchThatAnswersTheWrongNumberOfRequestsFailsThemAll() throws Exception {
        try (Coalescer<String, String> coalescer = new Coalescer<>("test-coalescer", 64, inputs -> List.of())) {
            CompletionException failed = assertThrows(CompletionException.class, () -> coalescer.submit("x"));
            assertInstanceOf(IllegalStateException.class, failed.getCause());
        }
    }

    @Test
    void manyConcurrentCallersEachGetTheirOwnAnswer() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (Coalescer<Integer, Integer> coalescer = new Coalescer<>("test-coalescer", 4, inputs -> {
            sizes.add(inputs.size());
            return inputs.stream().map(i -> -i).toList();
        })) {
            ExecutorService callers = Executors.newFixedThreadPool(16);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                int input = i;
                answers.add(callers.submit(() -> coalescer.submit(input)));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(-i, answers.get(i).get(30, TimeUnit.SECONDS));
            }
            callers.shutdown();
            assertEquals(2_000, sizes.stream().mapToInt(Integer::intValue).sum(), "each request in exactly one batch");
            assertTrue(sizes.stream().allMatch(size -> size >= 1 && size <= 4), "batches within the limit: " + sizes);
        }
    }
}
