package io.mnemo.actors.readpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.mnemo.tsdb.RegexTooComplexException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Answers as streams within one actor system: complete answers, failures by kind, cancellation, breaks. */
class ReadStreamsTest {
    static ActorSystem<Void> system;
    static Materializer mat;
    final Gauge open = Gauge.builder().name("open").register(new PrometheusRegistry());
    final Counter cancelled = Counter.builder().name("cancelled").register(new PrometheusRegistry());

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "read-streams", ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                mnemo.read-dispatcher { type = Dispatcher, executor = "thread-pool-executor", thread-pool-executor.fixed-pool-size = 2 }
                mnemo.read-stream-dispatcher { type = Dispatcher, executor = "thread-pool-executor", thread-pool-executor.fixed-pool-size = 2 }
                """).withFallback(ConfigFactory.load()));
        mat = Materializer.matFromSystem(system);
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    /** count frames of one byte each, optionally blocking before frame {@code blockAt} until released, or failing there. */
    static final class Frames implements FrameSource {
        final int count;
        final int stopAt;
        final RuntimeException failure;
        final CompletableFuture<Void> release = new CompletableFuture<>();
        final AtomicBoolean closed = new AtomicBoolean();
        final java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile String thread;
        int sent;

        Frames(int count, int stopAt, RuntimeException failure) {
            this.count = count;
            this.stopAt = stopAt;
            this.failure = failure;
        }

        public byte[] next() {
            thread = Thread.currentThread().getName();
            threads.add(thread.replaceAll("-\\d+$", ""));
            if (sent == stopAt) {
                if (failure != null) throw failure;
                release.join();
            }
            return sent < count ? new byte[] {(byte) sent++} : null;
        }

        public long items() { return sent; }

        public void close() { closed.set(true); }
    }

    ReadAnswer serve(Frames frames) throws Exception {
        return ReadStreams.answer("store s", () -> frames, open.labelValues(), cancelled.labelValues(), mat)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCompleteAnswerEndsWithItsCountAndIsProducedOnTheReadDispatchers() throws Exception {
        Frames frames = new Frames(1000, -1, null);
        List<byte[]> got = new ArrayList<>();
        java.util.Set<String> takenOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        long items = ReadStreams.collect("store s", serve(frames), Duration.ofSeconds(5), f -> {
                    got.add(f);
                    takenOn.add(Thread.currentThread().getName().replaceAll("-\\d+$", ""));
                }, k -> {}, mat)
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1000, items);
        // The querier takes a streamed answer on the stream dispatcher, not the default one.
        assertTrue(takenOn.stream().allMatch(t -> t.endsWith("mnemo.read-stream-dispatcher")), takenOn.toString());
        assertEquals(1000, got.size());
        assertEquals((byte) 999, got.get(999)[0]);
        // Opened (the first frames) on the read dispatcher, the rest on the stream dispatcher.
        assertEquals(2, frames.threads.size(), frames.threads.toString());
        assertTrue(frames.threads.stream().anyMatch(t -> t.endsWith("mnemo.read-dispatcher")), frames.threads.toString());
        assertTrue(frames.thread.contains("mnemo.read-stream-dispatcher"), frames.thread);
        Await.until(() -> frames.closed.get() && open.get() == 0);
        assertEquals(0, cancelled.get());
    }

    @Test
    void anAnswerOfOneFrameComesWholeInTheReplyWithoutAStream() throws Exception {
        Frames frames = new Frames(1, -1, null);
        ReadAnswer answer = serve(frames);
        assertNull(answer.stream(), "no stream for one frame");
        assertEquals(1, answer.items());
        assertTrue(frames.closed.get(), "the store's side is closed once the reply is made");
        assertEquals(0, open.get());
        List<byte[]> got = new ArrayList<>();
        assertEquals(1, ReadStreams.collect("store s", answer, Duration.ofSeconds(5), got::add, k -> {
            throw new AssertionError("no stream to cancel");
        }, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(1, got.size());

        ReadAnswer empty = serve(new Frames(0, -1, null));
        assertNull(empty.stream());
        assertNull(empty.frame());
        assertEquals(0, ReadStreams.collect("store s", empty, Duration.ofSeconds(5), f -> {
            throw new AssertionError("no frame");
        }, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aLongerAnswerStreamsEveryFrameOnceInOrder() throws Exception {
        Frames frames = new Frames(2, -1, null);
        ReadAnswer answer = serve(frames);
        assertNotNull(answer.stream(), "two frames stream");
        List<byte[]> got = new ArrayList<>();
        assertEquals(2, ReadStreams.collect("store s", answer, Duration.ofSeconds(5), got::add, k -> {}, mat)
                .toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(List.of((byte) 0, (byte) 1), got.stream().map(b -> b[0]).toList());
        Await.until(() -> frames.closed.get() && open.get() == 0);
    }

    @Test
    void aFailureBeforeTheReplyIsTheReplysError() throws Exception {
        ReadAnswer answer = serve(new Frames(10, 0, new IllegalStateException("disk gone")));
        assertNotNull(answer.error());
        assertEquals(ReadError.Kind.INTERNAL, answer.error().kind());
        ExecutionException e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", answer,
                Duration.ofSeconds(5), f -> {}, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(ReadStreams.StoreFailedException.class, e.getCause());
        assertEquals(0, open.get());
    }

    @Test
    void aFailureWhileReadingArrivesAsItsKind() throws Exception {
        Frames frames = new Frames(10, 5, new RegexTooComplexException(io.mnemo.tsdb.LabelMatcher.regex("v", "(a|b)*"), 100_000));
        ExecutionException e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", serve(frames),
                Duration.ofSeconds(5), f -> {}, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        ReadStreams.StoreFailedException failed = assertInstanceOf(ReadStreams.StoreFailedException.class, e.getCause());
        assertEquals(ReadError.Kind.BAD_QUERY, failed.error().kind());
        assertTrue(failed.error().message().startsWith("store s: the regular expression of v=~"), failed.error().message());
        Frames broken = new Frames(10, 5, new IllegalStateException("disk gone"));
        e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", serve(broken), Duration.ofSeconds(5),
                f -> {}, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(ReadError.Kind.INTERNAL, ((ReadStreams.StoreFailedException) e.getCause()).error().kind());
        Await.until(() -> open.get() == 0);
        assertEquals(0, cancelled.get(), "a failure is not a cancellation");
    }

    @Test
    void cancellingTheQueryClosesTheStoresSide() throws Exception {
        Frames frames = new Frames(10_000, 3, null);
        AtomicReference<UniqueKillSwitch> kill = new AtomicReference<>();
        CompletableFuture<Long> result = ReadStreams.collect("store s", serve(frames), Duration.ofSeconds(30), f -> {},
                kill::set, mat).toCompletableFuture();
        Await.until(() -> open.get() == 1 && frames.sent == 3);
        kill.get().shutdown();
        frames.release.complete(null); // the read thread is let go; the stream is gone by then
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ReadStreams.IncompleteStreamException.class, e.getCause());
        Await.until(() -> frames.closed.get() && open.get() == 0);
        assertEquals(1, cancelled.get());
        assertTrue(frames.sent < 1000, "the store stopped early, its demand bounded: " + frames.sent);
    }

    @Test
    void aStalledStreamIsIncomplete() {
        Frames frames = new Frames(10, 2, null);
        ExecutionException e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", serve(frames),
                Duration.ofMillis(300), f -> {}, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(ReadStreams.IncompleteStreamException.class, e.getCause());
        frames.release.complete(null);
    }

    @Test
    void anExceptionFromTheFrameHandlerStopsTheStreamAsItIs() {
        Frames frames = new Frames(100, -1, null);
        IllegalStateException limit = new IllegalStateException("over the limit");
        ExecutionException e = assertThrows(ExecutionException.class, () -> ReadStreams.collect("store s", serve(frames),
                Duration.ofSeconds(5), f -> {
                    if (f[0] == 10) throw limit;
                }, k -> {}, mat).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(limit, e.getCause());
    }

    /** Polls a condition for up to 10 s. */
    static final class Await {
        static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
                Thread.sleep(10);
            }
        }
    }
}
