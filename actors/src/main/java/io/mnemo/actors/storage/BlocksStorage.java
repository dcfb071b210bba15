package io.mnemo.actors.storage;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.cluster.IngesterId;
import io.mnemo.objstore.Bucket;
import io.mnemo.persistence.PersistenceIdDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's blocks storage ({@code mnemo.blocks-storage}): the bucket, opened when the node starts
 * and closed when it stops, the threads that move blocks to and from it (so that no ingester
 * waits on the bucket), and what its ingesters' {@link Shipper}s share: retries, the retention of
 * shipped blocks on local disk, the clock.
 */
public final class BlocksStorage implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlocksStorage.class);

    /**
     * How a block upload is retried: {@code attempts} in all, waiting {@code first} after the
     * first failure and twice as long after each next one, up to {@code max}.
     */
    public record Backoff(int attempts, Duration first, Duration max) {
        public static final Backoff DEFAULT = new Backoff(4, Duration.ofSeconds(1), Duration.ofSeconds(10));

        public Backoff {
            if (attempts < 1) throw new IllegalArgumentException("at least one attempt: " + attempts);
        }

        /** The wait after the {@code failed}-th failed attempt (1 for the first). */
        public Duration after(int failed) {
            long ms = first.toMillis() << Math.min(failed - 1, 20);
            return Duration.ofMillis(Math.min(ms, max.toMillis()));
        }
    }

    /** Threads moving blocks: uploads of a node's ingesters, and downloads of a rebuilding one (Mimir ships 10 at a time). */
    public static final int THREADS = 4;

    private final Bucket bucket;
    private final Duration retentionPeriod;
    private final MnemoMetrics metrics;
    private final Backoff backoff;
    private final LongSupplier clock;
    private final ExecutorService io;

    /** The node's: default retries, the wall clock. */
    public BlocksStorage(Bucket bucket, Duration retentionPeriod, MnemoMetrics metrics) {
        this(bucket, retentionPeriod, metrics, Backoff.DEFAULT, System::currentTimeMillis);
    }

    public BlocksStorage(Bucket bucket, Duration retentionPeriod, MnemoMetrics metrics, Backoff backoff, LongSupplier clock) {
        this.bucket = bucket;
        this.retentionPeriod = retentionPeriod;
        this.metrics = metrics;
        this.backoff = backoff;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "mnemo-blocks-storage-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.io = Executors.newFixedThreadPool(THREADS, threads);
    }

    public Bucket bucket() { return bucket; }

    /** How long a shipped block stays on the ingester's disk after its upload. */
    public Duration retentionPeriod() { return retentionPeriod; }

    Backoff backoff() { return backoff; }

    MnemoMetrics metrics() { return metrics; }

    /** Unix time in ms, by this storage's clock. */
    public long now() { return clock.getAsLong(); }

    /** Where bucket I/O runs: never an actor's thread. */
    public Executor io() { return io; }

    /** The shipper of an ingester, its state in {@code <data-dir>/shipper/<persistence id>.json}. */
    public Shipper shipper(IngesterId id, Path dataDir) {
        return new Shipper(this, id, stateFile(dataDir, id));
    }

    /** The shipper state file of an ingester. */
    public static Path stateFile(Path dataDir, IngesterId id) {
        return dataDir.resolve("shipper").resolve(PersistenceIdDirectory.name(id.persistenceId()) + ".json");
    }

    /**
     * Stops the threads, giving uploads under way a few seconds (one cut short is uploaded again
     * after the restart: it is not in the state file), then closes the bucket.
     */
    @Override
    public void close() {
        io.shutdown();
        try {
            if (!io.awaitTermination(10, TimeUnit.SECONDS)) io.shutdownNow();
        } catch (InterruptedException e) {
            io.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            bucket.close();
        } catch (IOException e) {
            log.warn("Closing {}: {}", bucket.describe(), e.toString());
        }
    }
}
