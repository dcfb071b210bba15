package io.mnemo.actors.ingester;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.readpath.ReadError;
import io.mnemo.cluster.IngesterDesc;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.RingKeeper;
import io.mnemo.cluster.RingState;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * One ingester's place in the ring: its state (PENDING, JOINING, ACTIVE, LEAVING), the heartbeats
 * it reports to its node's {@link RingKeeper}, its Kafka lag, and how far joining got. Owned by the
 * ingester entity and used only on its thread.
 */
final class IngesterMembership {
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;
    private static final long HEARTBEAT_EVERY_MILLIS = 1000;

    private final IngesterId id;
    private final String partitionLabel;
    private final MnemoMetrics metrics;
    private final ActorRef<RingKeeper.Command> ringKeeper;
    private final String nodeAddress;
    private final long activeLagThreshold;
    private final Logger log;

    private RingState state = RingState.PENDING;
    private RingState previous = RingState.PENDING;
    /** The partition's end offset as last seen; -1 until known. */
    private long endOffset = -1;
    /** The end offset asked for when the entity started: replay progress's total. */
    private volatile long endOffsetAtStart = -1;
    private long lastHeartbeat;
    private long lastProgressLog = System.nanoTime();
    /** Where joining started (first offset replayed or consumed), for progress: -1 until known. */
    private long joinFrom = -1;

    IngesterMembership(IngesterId id, MnemoMetrics metrics, ActorRef<RingKeeper.Command> ringKeeper, String nodeAddress,
                       long activeLagThreshold, Logger log) {
        this.id = id;
        this.partitionLabel = Integer.toString(id.partition());
        this.metrics = metrics;
        this.ringKeeper = ringKeeper;
        this.nodeAddress = nodeAddress;
        this.activeLagThreshold = activeLagThreshold;
        this.log = log;
        set(RingState.PENDING);
    }

    RingState state() { return state; }

    /** Whether this ingester may answer reads now. */
    boolean readable() { return state.readable(); }

    /** Why reads are refused, for an {@link ReadError.Kind#UNAVAILABLE} answer. */
    ReadError notReadable() {
        return ReadError.unavailable("ingester " + id, "is " + state + ", not ACTIVE");
    }

    void set(RingState next) {
        metrics.ingesterState.labelValues(id.zone(), partitionLabel, state.name()).set(0);
        if (next != state) previous = state;
        state = next;
        metrics.ingesterState.labelValues(id.zone(), partitionLabel, next.name()).set(1);
    }

    /** The end offset at start, known asynchronously. */
    void endOffsetAtStart(long end) { endOffsetAtStart = end; }

    /** A newer end offset of the partition, as Kafka reported it. */
    void observeEndOffset(long end) {
        if (end >= 0) endOffset = Math.max(endOffset, end);
    }

    long endOffset() { return endOffset; }

    /** Records not consumed yet, or -1 while the end offset is unknown. */
    long lag(long nextOffset) {
        return endOffset < 0 ? -1 : Math.max(0, endOffset - nextOffset);
    }

    /** Joining starts at this offset (the first replayed, or the first consumed), unless it started already. */
    void joiningFrom(long offset) {
        if (joinFrom < 0) joinFrom = offset;
    }

    boolean joinStarted() { return joinFrom >= 0; }

    /**
     * Updates the lag gauges and turns a JOINING ingester ACTIVE once its lag is within the threshold
     * (and it may consume: {@code resumed}); heartbeats at once on that change.
     */
    void updateLag(long nextOffset, long series, LongSupplier minTime, boolean resumed) {
        long lag = lag(nextOffset);
        if (state == RingState.JOINING && lag > 0 && resumed) {
            joiningFrom(nextOffset);
            logProgress("catching up on Kafka", nextOffset, series);
        }
        if (lag >= 0) metrics.ingesterLag.labelValues(id.zone(), partitionLabel).set(lag);
        metrics.headSeries.labelValues(id.zone(), partitionLabel).set(series);
        boolean changed = false;
        if (state == RingState.JOINING && resumed && lag >= 0 && lag <= activeLagThreshold) {
            set(RingState.ACTIVE);
            changed = true;
            log.info("Ingester {}: ACTIVE at offset {} ({} series)", id, nextOffset, series);
        }
        heartbeat(nextOffset, minTime, changed);
    }

    /**
     * Reports this ingester to the ring: at once when forced (a state change), else at most once a
     * second; with the oldest sample it holds ({@code minTime}, asked only when reporting).
     */
    void heartbeat(long nextOffset, LongSupplier minTime, boolean force) {
        long now = System.currentTimeMillis();
        if (!force && now - lastHeartbeat < HEARTBEAT_EVERY_MILLIS) return;
        lastHeartbeat = now;
        ringKeeper.tell(new RingKeeper.Heartbeat(
                new IngesterDesc(id, state, previous, nodeAddress, now, lag(nextOffset), nextOffset, -1, minTime.getAsLong())));
    }

    /**
     * Every few seconds while JOINING, how far it got: records (Kafka offsets) done of those between
     * where joining started and the partition's end, in the journal replay and then on Kafka.
     */
    void logProgress(String phase, long nextOffset, long series) {
        if (System.nanoTime() - lastProgressLog < PROGRESS_EVERY_NANOS) return;
        lastProgressLog = System.nanoTime();
        long end = Math.max(endOffset, endOffsetAtStart);
        long from = joinFrom < 0 ? nextOffset : joinFrom;
        long total = end - from;
        long done = nextOffset - from;
        log.info("Ingester {}: JOINING, {}: {} of {} records ({}%), at offset {}, Kafka lag {}, {} series", id, phase,
                done, end < 0 ? "?" : total, end < 0 ? "?" : total <= 0 ? 100 : Math.min(100, done * 100 / total),
                nextOffset, end < 0 ? "?" : Math.max(0, end - nextOffset), series);
    }

    /** Clears this ingester's state gauges (it stopped). */
    void clearMetrics() {
        for (RingState r : RingState.values()) metrics.ingesterState.labelValues(id.zone(), partitionLabel, r.name()).set(0);
    }
}
