package io.mnemo.persistence.journal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's single writer thread. Everything that changes files (appends, deletions) goes
 * through its queue, so writes of a persistence id keep their order without locks on the actor
 * side. Group commit: whatever is queued when the thread wakes up is written as one batch, one
 * gathering write and (with {@code fsync = always}) one force per persistence id, and only then
 * acknowledged.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final int MAX_REQUESTS_PER_BATCH = 4096;

    /** The records of one {@code AtomicWrite}, ready to be framed. */
    record AtomicAppend(PersistenceIdLog log, List<FrameFormat.EncodedRecord> records, long bytes) {
        long firstSequenceNr() {
            return records.get(0).sequenceNr();
        }

        long lastSequenceNr() {
            return records.get(records.size() - 1).sequenceNr();
        }
    }

    private sealed interface Request permits Append, Delete, Stop {
    }

    /**
     * One {@code asyncWriteMessages} call. {@code results} has a slot per AtomicWrite of the call;
     * {@code appends[i]} is null where the AtomicWrite was already rejected.
     */
    private record Append(AtomicAppend[] appends, Optional<Exception>[] results,
            CompletableFuture<List<Optional<Exception>>> done) implements Request {
    }

    private record Delete(PersistenceIdLog log, long toSequenceNr, CompletableFuture<Void> done)
            implements Request {
    }

    private record Stop() implements Request {
    }

    private final JournalSettings settings;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final Set<PersistenceIdLog> unforced = new LinkedHashSet<>();
    private volatile boolean closed;
    private long nextForceNanos;

    GroupCommitWriter(String name, JournalSettings settings) {
        this.settings = settings;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues the AtomicWrites of one call. The future completes with {@code results} once all of
     * them are stored (and forced, under {@code fsync = always}), or fails if any could not be.
     */
    CompletableFuture<List<Optional<Exception>>> append(AtomicAppend[] appends, Optional<Exception>[] results) {
        CompletableFuture<List<Optional<Exception>>> done = new CompletableFuture<>();
        enqueue(new Append(appends, results, done), done);
        return done;
    }

    CompletableFuture<Void> deleteTo(PersistenceIdLog log, long toSequenceNr) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        enqueue(new Delete(log, toSequenceNr, done), done);
        return done;
    }

    private void enqueue(Request request, CompletableFuture<?> done) {
        if (closed) {
            done.completeExceptionally(new IllegalStateException("journal writer is closed"));
            return;
        }
        queue.add(request);
    }

    /** Finishes what is queued, forces pending data and stops the thread. */
    @Override
    public void close() throws InterruptedException {
        if (!closed) {
            closed = true;
            queue.add(new Stop());
        }
        thread.join();
    }

    private void run() {
        List<Request> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                Request first = unforced.isEmpty()
                        ? queue.take()
                        : queue.poll(Math.max(0, nextForceNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_REQUESTS_PER_BATCH);
                    stop = process(batch);
                    batch.clear();
                }
                if (!unforced.isEmpty() && (stop || System.nanoTime() - nextForceNanos >= 0)) {
                    forceUnforced();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop = true;
            } catch (Throwable t) {
                log.error("Journal writer failed unexpectedly", t);
                for (Request r : batch) {
                    fail(r, t);
                }
                batch.clear();
            }
        }
        forceUnforced();
        Request r;
        while ((r = queue.poll()) != null) {
            fail(r, new IllegalStateException("journal writer is closed"));
        }
    }

    /** Runs the requests in order; consecutive appends form one group commit. True once stopped. */
    private boolean process(List<Request> batch) {
        List<Append> appends = new ArrayList<>();
        boolean stopped = false;
        for (Request r : batch) {
            if (stopped) {
                fail(r, new IllegalStateException("journal writer is closed"));
            } else if (r instanceof Append a) {
                appends.add(a);
            } else {
                commit(appends);
                appends.clear();
                if (r instanceof Delete d) {
                    try {
                        d.log().deleteTo(d.toSequenceNr());
                        d.done().complete(null);
                    } catch (Exception e) {
                        d.done().completeExceptionally(e);
                    }
                } else {
                    stopped = true;
                }
            }
        }
        commit(appends);
        return stopped;
    }

    private void commit(List<Append> appends) {
        if (appends.isEmpty()) {
            return;
        }
        Map<PersistenceIdLog, List<AtomicAppend>> byLog = new LinkedHashMap<>();
        Map<AtomicAppend, Append> owner = new IdentityHashMap<>();
        Map<AtomicAppend, Integer> slot = new IdentityHashMap<>();
        for (Append a : appends) {
            for (int i = 0; i < a.appends().length; i++) {
                AtomicAppend aa = a.appends()[i];
                if (aa != null) {
                    byLog.computeIfAbsent(aa.log(), k -> new ArrayList<>()).add(aa);
                    owner.put(aa, a);
                    slot.put(aa, i);
                }
            }
        }
        Map<PersistenceIdLog, Exception> failed = new IdentityHashMap<>();
        boolean force = settings.fsyncAlways();
        for (Map.Entry<PersistenceIdLog, List<AtomicAppend>> e : byLog.entrySet()) {
            PersistenceIdLog log = e.getKey();
            try {
                List<FrameFormat.EncodedFrame> frames = frames(log, e.getValue(), owner, slot);
                log.append(frames, force);
                if (!force && !frames.isEmpty()) {
                    if (unforced.isEmpty()) {
                        nextForceNanos = System.nanoTime() + settings.fsyncInterval().toNanos();
                    }
                    unforced.add(log);
                }
            } catch (Exception ex) {
                // Said here, with the cause: the writing actor is told too, and stops.
                GroupCommitWriter.log.error("Journal write for persistence id [{}] failed", log.persistenceId(), ex);
                failed.put(log, ex);
            }
        }
        for (Append a : appends) {
            Exception failure = null;
            for (AtomicAppend aa : a.appends()) {
                if (aa != null && failed.containsKey(aa.log())) {
                    failure = failed.get(aa.log());
                    break;
                }
            }
            if (failure != null) {
                a.done().completeExceptionally(failure);
            } else {
                a.done().complete(Arrays.asList(a.results()));
            }
        }
    }

    /**
     * Packs the AtomicWrites of one persistence id into frames of at most max-frame-size (an
     * AtomicWrite is never split). A write whose sequence numbers do not lie above what is stored
     * is rejected: appending it would break the ascending order replay relies on.
     */
    private List<FrameFormat.EncodedFrame> frames(PersistenceIdLog log, List<AtomicAppend> writes,
            Map<AtomicAppend, Append> owner, Map<AtomicAppend, Integer> slot) throws Exception {
        long above = log.highestSequenceNr();
        List<FrameFormat.EncodedFrame> frames = new ArrayList<>();
        List<FrameFormat.EncodedRecord> current = new ArrayList<>();
        long currentBytes = 0;
        for (AtomicAppend w : writes) {
            if (w.firstSequenceNr() <= above) {
                owner.get(w).results()[slot.get(w)] = Optional.of(new IllegalStateException(
                        "rejected write of sequence numbers " + w.firstSequenceNr() + ".." + w.lastSequenceNr()
                                + " for persistence id [" + log.persistenceId() + "]: the journal already holds "
                                + "sequence number " + above + " (is a second writer active?)"));
                continue;
            }
            if (!current.isEmpty() && FrameFormat.frameSize(currentBytes + w.bytes()) > settings.maxFrameSize()) {
                frames.add(FrameFormat.frame(current));
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.addAll(w.records());
            currentBytes += w.bytes();
            above = w.lastSequenceNr();
        }
        if (!current.isEmpty()) {
            frames.add(FrameFormat.frame(current));
        }
        return frames;
    }

    private void forceUnforced() {
        for (PersistenceIdLog l : unforced) {
            try {
                l.force();
            } catch (Exception e) {
                log.error("fsync of the journal of persistence id [{}] failed; writes acknowledged in the last "
                        + "fsync interval may be lost", l.persistenceId(), e);
            }
        }
        unforced.clear();
    }

    private static void fail(Request r, Throwable t) {
        if (r instanceof Append a) {
            a.done().completeExceptionally(t);
        } else if (r instanceof Delete d) {
            d.done().completeExceptionally(t);
        }
    }
}
