package io.mnemo.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline (never a bare sleep). */
final class Await {
    private Await() {}

    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what, e);
            }
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
