package io.mnemo.persistence.journal;

import com.typesafe.config.Config;
import io.mnemo.persistence.ScalaFutures;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko Persistence journal on local segment files: the ingester's write-ahead log.
 *
 * <p>Layout: {@code <dir>/<persistence id, percent-encoded>/<first seq nr, 20 digits>.log}, plus a
 * {@code deleted-to} file once events were deleted. Events are serialized with Pekko serialization
 * on the journal actor, framed (see {@link FrameFormat}) and handed to a {@link GroupCommitWriter}
 * thread; replays and sequence-number reads run on the plugin's {@code replay-dispatcher}.
 * Tags of {@link Tagged} events are dropped: this journal serves no persistence queries.
 */
public final class SegmentJournal extends AsyncWriteJournal {

    static final String LOCK_FILE = ".lock";

    private final JournalSettings settings;
    private final ExtendedActorSystem system;
    private final Serialization serialization;
    private final Executor readExecutor;
    private final JournalNotices notices;
    private final ConcurrentHashMap<String, PersistenceIdLog> logs = new ConcurrentHashMap<>();
    /** Last unfinished write per persistence id; sequence-number reads wait for it. */
    private final ConcurrentHashMap<String, CompletableFuture<?>> pendingWrites = new ConcurrentHashMap<>();
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final GroupCommitWriter writer;

    public SegmentJournal(Config config) throws IOException {
        this.settings = JournalSettings.from(config);
        this.system = (ExtendedActorSystem) context().system();
        this.serialization = SerializationExtension.get(system);
        this.readExecutor = system.dispatchers().lookup(config.getString("replay-dispatcher"));
        this.notices = JournalNotices.get(system);
        Files.createDirectories(settings.dir());
        this.lockChannel = FileChannel.open(settings.dir().resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        this.lock = tryLock(lockChannel, settings.dir());
        this.writer = new GroupCommitWriter("mnemo-journal-writer", settings);
    }

    private static FileLock tryLock(FileChannel channel, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("journal directory " + dir.toAbsolutePath() + " is in use by another journal "
                    + "(lock file " + LOCK_FILE + " is held); give every node its own data directory");
        }
        return lock;
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        List<AtomicWrite> writes = new ArrayList<>();
        messages.forEach(writes::add);
        @SuppressWarnings("unchecked")
        Optional<Exception>[] results = new Optional[writes.size()];
        Arrays.fill(results, Optional.empty());
        GroupCommitWriter.AtomicAppend[] appends = new GroupCommitWriter.AtomicAppend[writes.size()];
        Set<String> persistenceIds = new LinkedHashSet<>();
        for (int i = 0; i < writes.size(); i++) {
            try {
                appends[i] = encode(writes.get(i));
                persistenceIds.add(writes.get(i).persistenceId());
            } catch (Exception e) {
                results[i] = Optional.of(e); // rejected: not stored, the persistent actor is told why
            }
        }
        if (persistenceIds.isEmpty()) {
            return Future.successful(Arrays.asList(results));
        }
        CompletableFuture<List<Optional<Exception>>> done = writer.append(appends, results);
        for (String pid : persistenceIds) {
            pendingWrites.put(pid, done);
        }
        done.whenComplete((r, e) -> persistenceIds.forEach(pid -> pendingWrites.remove(pid, done)));
        return ScalaFutures.of(done.thenApply(list -> list));
    }

    private GroupCommitWriter.AtomicAppend encode(AtomicWrite write) {
        List<FrameFormat.EncodedRecord> records = new ArrayList<>(write.size());
        long bytes = 0;
        for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
            FrameFormat.EncodedRecord r = FrameFormat.encodeRecord(toRecord(repr));
            records.add(r);
            bytes += r.size();
        }
        if (FrameFormat.frameSize(bytes) > settings.maxFrameSize()) {
            throw new IllegalArgumentException("write of " + records.size() + " event(s), " + bytes
                    + " bytes serialized, for persistence id [" + write.persistenceId()
                    + "] exceeds max-frame-size (" + settings.maxFrameSize()
                    + " bytes); persist smaller events or raise mnemo.persistence.journal.max-frame-size");
        }
        return new GroupCommitWriter.AtomicAppend(logFor(write.persistenceId()), records, bytes);
    }

    private JournalRecord toRecord(PersistentRepr repr) {
        Object payload = repr.payload();
        if (payload instanceof Tagged tagged) {
            payload = tagged.payload();
        }
        SerializedValue metadata = repr.metadata().isDefined() ? serialize(repr.metadata().get()) : null;
        return new JournalRecord(repr.sequenceNr(), repr.timestamp(), repr.persistenceId(), repr.writerUuid(),
                repr.manifest(), serialize(payload), metadata);
    }

    private SerializedValue serialize(Object o) {
        Serializer serializer = serialization.findSerializerFor(o);
        String manifest = Serializers.manifestFor(serializer, o);
        // transport information lets serializers write ActorRefs with this system's address
        byte[] bytes = Serialization$.MODULE$.withTransportInformation(system, () -> serializer.toBinary(o));
        return new SerializedValue(serializer.identifier(), manifest, bytes);
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
            Consumer<PersistentRepr> replayCallback) {
        return ScalaFutures.of(onReadExecutor(() -> {
            ReplayFlowControl flow = ReplayFlowControl.get(system);
            logFor(persistenceId).replay(fromSequenceNr, toSequenceNr, max, r -> {
                try {
                    flow.delivering(persistenceId, r.event().bytes().length);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("replay of persistence id [" + persistenceId + "] interrupted", e);
                }
                replayCallback.accept(toRepr(r));
            });
            return null;
        }));
    }

    private PersistentRepr toRepr(JournalRecord r) {
        PersistentRepr repr = PersistentRepr.apply(deserialize(r, r.event()), r.sequenceNr(), r.persistenceId(),
                r.manifest(), false, ActorRef.noSender(), r.writerUuid()).withTimestamp(r.timestamp());
        return r.metadata() == null ? repr : repr.withMetadata(deserialize(r, r.metadata()));
    }

    private Object deserialize(JournalRecord r, SerializedValue v) {
        try {
            return serialization.deserialize(v.bytes(), v.serializerId(), v.manifest()).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot deserialize sequence number " + r.sequenceNr()
                    + " of persistence id [" + r.persistenceId() + "] (serializer " + v.serializerId()
                    + ", manifest [" + v.manifest() + "]): " + e, e);
        }
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        // A restarting actor may recover while its previous incarnation's write is in flight:
        // answer only after it, or the actor would reuse sequence numbers.
        CompletableFuture<?> pending = pendingWrites.get(persistenceId);
        CompletableFuture<Void> settled = pending == null
                ? CompletableFuture.completedFuture(null)
                : pending.handle((r, e) -> null);
        return ScalaFutures.of(settled.thenCompose(x -> onReadExecutor(() -> logFor(persistenceId).highestSequenceNr())));
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        return ScalaFutures.of(writer.deleteTo(logFor(persistenceId), toSequenceNr));
    }

    private PersistenceIdLog logFor(String persistenceId) {
        return logs.computeIfAbsent(persistenceId, id -> new PersistenceIdLog(id, settings, notices));
    }

    private interface IoTask<T> {
        T run() throws Exception;
    }

    private <T> CompletableFuture<T> onReadExecutor(IoTask<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        readExecutor.execute(() -> {
            try {
                f.complete(task.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    @Override
    public void postStop() throws Exception {
        try {
            writer.close();
        } finally {
            logs.values().forEach(PersistenceIdLog::close);
            lock.release();
            lockChannel.close();
            super.postStop();
        }
    }
}
