package io.mnemo.actors.storegateway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How a store-gateway's syncs went, for {@code /ready} and its status page: a store-gateway is not
 * ready before its first sync completed (Mimir's neither), since until then it answers for no block.
 * Written by the gateway, read by anyone.
 */
public final class SyncStatus {
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private volatile Instant lastSync;
    private volatile String lastFailure;
    private volatile int blocksLoaded;
    private volatile List<LoadedBlock> loaded = List.of();

    /** A block the gateway serves, for its status page. */
    public record LoadedBlock(String tenant, String ulid, long minTime, long maxTime, long series, long samples) {}

    /** Completes when the first sync has completed. */
    public CompletableFuture<Void> firstSync() { return firstSync; }

    /** Why the gateway is not ready, or empty when it is. */
    public Optional<String> notReady() {
        if (firstSync.isDone()) return Optional.empty();
        String failure = lastFailure;
        return Optional.of(failure == null ? "store-gateway: initial sync of the bucket not done yet"
                : "store-gateway: initial sync of the bucket failed: " + failure);
    }

    public Instant lastSync() { return lastSync; }

    /** The last sync's failure, null when it succeeded. */
    public String lastFailure() { return lastFailure; }

    public int blocksLoaded() { return blocksLoaded; }

    /** The blocks served after the last successful sync, by tenant, then min time. */
    public List<LoadedBlock> loaded() { return loaded; }

    void succeeded(Instant at, List<LoadedBlock> loaded) {
        this.lastSync = at;
        this.lastFailure = null;
        this.blocksLoaded = loaded.size();
        this.loaded = List.copyOf(loaded);
        firstSync.complete(null);
    }

    void failed(String why) {
        this.lastFailure = why;
    }
}
