package io.mnemo.actors.storage;

import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.cluster.IngesterId;
import io.mnemo.tsdb.block.Ulid;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships one ingester's blocks to the bucket (Mimir's ingester shipper): each block once, on the
 * {@link BlocksStorage}'s threads, retried with backoff, and remembered in the
 * {@link ShipperState} file, so that a restart neither uploads a block again nor forgets one.
 * A block not in the file is first looked for in the bucket (its {@code meta.json}), as Mimir's
 * shipper does: a crash after the upload and before the file was written leaves it there.
 *
 * <p>Thread-safe: the ingester asks what is shipped and starts shipments from its own thread,
 * and shipments complete on the storage's threads.
 */
public final class Shipper {
    private static final Logger log = LoggerFactory.getLogger(Shipper.class);

    /** A block in the bucket: uploaded now, or found there (uploaded before the state file knew). */
    public record Shipment(String tenant, Ulid ulid, boolean uploaded, int attempts) {
        public String key() { return BucketLayout.block(tenant, ulid); }
    }

    private final BlocksStorage storage;
    private final IngesterId id;
    private final Path stateFile;
    private final BlockTransfer transfer;
    private final CounterDataPoint uploads;
    private final CounterDataPoint failures;
    /** Bucket prefix → unix ms shipped. Guarded by this. */
    private final Map<String, Long> shipped;
    /** Shipments under way, by bucket prefix. Guarded by this. */
    private final Map<String, CompletableFuture<Shipment>> inFlight = new HashMap<>();
    /** Changes of {@link #shipped}, and the change the file holds; guarded by this and by {@link #fileLock}. */
    private long changes;
    private long written;
    private final Object fileLock = new Object();

    Shipper(BlocksStorage storage, IngesterId id, Path stateFile) {
        this.storage = storage;
        this.id = id;
        this.stateFile = stateFile;
        this.transfer = new BlockTransfer(storage.bucket());
        String partition = Integer.toString(id.partition());
        this.uploads = storage.metrics().shipperUploads.labelValues(id.zone(), partition);
        this.failures = storage.metrics().shipperUploadFailures.labelValues(id.zone(), partition);
        Map<String, Long> state;
        try {
            state = ShipperState.read(stateFile);
        } catch (IOException e) {
            // The bucket is asked about each block before it is uploaded: nothing goes twice.
            log.warn("Ingester {}: ignoring the shipper state file: {}; blocks already in {} are recognised there",
                    id, e.getMessage(), storage.bucket().describe());
            state = new TreeMap<>();
        }
        this.shipped = state;
    }

    /** Whether the block is in the bucket, as far as this shipper knows. */
    public synchronized boolean isShipped(String tenant, Ulid ulid) {
        return shipped.containsKey(BucketLayout.block(tenant, ulid));
    }

    /** When the block was shipped (unix ms), if it was. */
    public synchronized OptionalLong shippedAt(String tenant, Ulid ulid) {
        Long at = shipped.get(BucketLayout.block(tenant, ulid));
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    /** Blocks this shipper knows are in the bucket (by bucket prefix), with the time they were shipped. */
    public synchronized Map<String, Long> shipped() {
        return new TreeMap<>(shipped);
    }

    /**
     * Ships a local block of a tenant, unless it is shipped already; a block being shipped is not
     * shipped twice (its shipment is returned). The future fails once every attempt failed: the
     * block is then still not shipped, and the next call tries again.
     */
    public synchronized CompletableFuture<Shipment> ship(String tenant, Path blockDir) {
        Ulid ulid = Ulid.parse(blockDir.getFileName().toString());
        String key = BucketLayout.block(tenant, ulid);
        if (shipped.containsKey(key)) return CompletableFuture.completedFuture(new Shipment(tenant, ulid, false, 0));
        CompletableFuture<Shipment> running = inFlight.get(key);
        if (running != null) return running;
        CompletableFuture<Shipment> done = new CompletableFuture<>();
        inFlight.put(key, done);
        attempt(tenant, ulid, blockDir, 1, done);
        return done;
    }

    private void attempt(String tenant, Ulid ulid, Path blockDir, int attempt, CompletableFuture<Shipment> done) {
        String key = BucketLayout.block(tenant, ulid);
        CompletableFuture<Boolean> upload;
        try {
            upload = CompletableFuture.supplyAsync(() -> uploadIfMissing(tenant, ulid, blockDir), storage.io());
        } catch (RejectedExecutionException e) { // the node is stopping: no more attempts
            synchronized (this) {
                inFlight.remove(key);
            }
            done.completeExceptionally(new IOException("block " + key + " not shipped: the node's blocks storage is closed"));
            return;
        }
        upload.whenComplete((uploaded, err) -> {
            if (err == null) {
                recordShipped(key, uploaded);
                done.complete(new Shipment(tenant, ulid, uploaded, attempt));
                return;
            }
            failures.inc();
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof UncheckedIOException u) cause = u.getCause();
            int attempts = storage.backoff().attempts();
            if (attempt >= attempts) {
                synchronized (this) {
                    inFlight.remove(key);
                }
                done.completeExceptionally(new IOException("block " + key + " not shipped to " + storage.bucket().describe()
                        + " (" + attempt + (attempt == 1 ? " attempt" : " attempts") + "): " + cause, cause));
                return;
            }
            long wait = storage.backoff().after(attempt).toMillis();
            log.debug("Ingester {}: shipping block {} failed (attempt {} of {}), retrying in {} ms: {}", id, key, attempt,
                    attempts, wait, cause.toString());
            CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS)
                    .execute(() -> attempt(tenant, ulid, blockDir, attempt + 1, done));
        });
    }

    /** Uploads the block unless the bucket has it whole already; whether it uploaded. On a storage thread. */
    private boolean uploadIfMissing(String tenant, Ulid ulid, Path blockDir) {
        try {
            if (storage.bucket().exists(BucketLayout.object(tenant, ulid, BucketLayout.META))) return false;
            transfer.upload(tenant, blockDir);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void recordShipped(String key, boolean uploaded) {
        synchronized (this) {
            shipped.put(key, storage.now());
            inFlight.remove(key);
            changes++;
        }
        if (uploaded) uploads.inc();
        writeState();
    }

    /**
     * Records blocks found in the bucket otherwise (downloaded into an ingester rebuilding its
     * disk), shipped at the given unix ms: they are not uploaded again.
     */
    public void markShipped(Map<String, Long> blocks) {
        if (blocks.isEmpty()) return;
        synchronized (this) {
            shipped.putAll(blocks);
            changes++;
        }
        writeState();
    }

    /** Forgets blocks deleted from the local disk (by bucket prefix). */
    public void forget(Collection<String> keys) {
        if (keys.isEmpty()) return;
        synchronized (this) {
            shipped.keySet().removeAll(keys);
            changes++;
        }
        writeState();
    }

    /**
     * Writes the state file if it is behind, outside this shipper's lock (the ingester asks it
     * questions meanwhile). A failure is logged: the state in memory stays, and after a restart
     * the bucket is asked about each block the file lacks.
     */
    private void writeState() {
        synchronized (fileLock) {
            Map<String, Long> state;
            long change;
            synchronized (this) {
                if (written >= changes) return;
                state = new TreeMap<>(shipped);
                change = changes;
            }
            try {
                ShipperState.write(stateFile, state);
                written = change;
            } catch (IOException e) {
                log.warn("Ingester {}: cannot write the shipper state file {}: {}", id, stateFile, e.toString());
            }
        }
    }
}
