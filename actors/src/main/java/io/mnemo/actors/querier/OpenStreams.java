package io.mnemo.actors.querier;

import io.mnemo.promql.QueryCanceledException;
import io.mnemo.promql.QueryTimeoutException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.stream.UniqueKillSwitch;

/**
 * The streams of one call to the stores, so that its end cancels them all: also those that start
 * after it, when a store's answer arrives late.
 */
final class OpenStreams {
    private final Collection<UniqueKillSwitch> open = new ConcurrentLinkedQueue<>();
    private volatile boolean cancelled;

    void add(UniqueKillSwitch stream) {
        open.add(stream);
        if (cancelled) stream.shutdown();
    }

    /** Whether the call is over: its attempts are not retried any more. */
    boolean cancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
        for (UniqueKillSwitch s : open) s.shutdown();
    }

    /**
     * The call's result, waiting until the deadline ({@link System#nanoTime}); a failure, the
     * deadline or an interrupt cancels the call's streams. A failure is thrown as it is when it is
     * a {@link RuntimeException} ({@code reading} names what timed out or was cancelled).
     */
    <T> T await(CompletableFuture<T> result, long deadlineNanos, String reading) {
        try {
            return result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            cancel();
            Throwable cause = unwrap(e.getCause());
            if (cause instanceof RuntimeException r) throw r;
            throw new StoreFailureException(reading + ": " + cause);
        } catch (TimeoutException e) {
            cancel();
            result.cancel(false);
            throw new QueryTimeoutException(reading);
        } catch (InterruptedException e) {
            cancel();
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new QueryCanceledException(reading);
        }
    }

    /** Every result in order, or the first failure as soon as it happens (not after those before it). */
    static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> futures) {
        CompletableFuture<List<T>> out = new CompletableFuture<>();
        if (futures.isEmpty()) return CompletableFuture.completedFuture(List.of());
        AtomicInteger left = new AtomicInteger(futures.size());
        for (CompletableFuture<T> f : futures) {
            f.whenComplete((v, e) -> {
                if (e != null) out.completeExceptionally(unwrap(e));
                else if (left.decrementAndGet() == 0) out.complete(futures.stream().map(CompletableFuture::join).toList());
            });
        }
        return out;
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException c && c.getCause() != null ? c.getCause() : t;
    }
}
