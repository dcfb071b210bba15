package io.mnemo.persistence.snapshot;

import com.typesafe.config.Config;
import io.mnemo.persistence.DurableFiles;
import io.mnemo.persistence.PersistenceIdDirectory;
import io.mnemo.persistence.ScalaFutures;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.concurrent.Future;

/**
 * Pekko Persistence snapshot store on local files: {@code <dir>/<persistence id, encoded>/} holds
 * one {@link SnapshotFile} per snapshot, each written atomically (temp file, fsync, rename, fsync
 * directory). Loading picks the newest snapshot matching the criteria; a damaged newest snapshot
 * fails the load rather than silently falling back to an older one (events after the older one
 * may be deleted). Set {@code snapshot-is-optional = true} to recover from events instead.
 * A {@link PagedSnapshot} is stored as its pages, other snapshots through Pekko serialization.
 */
public final class LocalSnapshotStore extends SnapshotStore {

    private static final Comparator<SnapshotMetadata> NEWEST_FIRST =
            Comparator.comparingLong(SnapshotMetadata::sequenceNr)
                    .thenComparingLong(SnapshotMetadata::timestamp)
                    .reversed();

    private final Path root;
    private final ExtendedActorSystem system;
    private final Serialization serialization;
    private final Executor io;
    /** Test-only fault injection: a pause between writing a snapshot and renaming it into place. */
    private final long pauseBeforeRenameMillis;

    public LocalSnapshotStore(Config config) {
        this.root = Path.of(config.getString("dir"));
        this.system = (ExtendedActorSystem) context().system();
        this.serialization = SerializationExtension.get(system);
        this.io = system.dispatchers().lookup(config.getString("io-dispatcher"));
        this.pauseBeforeRenameMillis = config.hasPath("fault-injection.pause-before-rename")
                ? config.getDuration("fault-injection.pause-before-rename").toMillis() : 0;
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return onIo(() -> {
            removeInterruptedWrites(persistenceId);
            List<Entry> matching = list(persistenceId, criteria::matches);
            if (matching.isEmpty()) {
                return Optional.empty();
            }
            Entry newest = matching.get(0);
            SnapshotFile.Content c = SnapshotFile.read(newest.file());
            Object snapshot = c.snapshot() instanceof SnapshotFile.Value v ? deserialize(newest.file(), v) : c.snapshot();
            SnapshotMetadata metadata = c.metadata() == null
                    ? newest.metadata()
                    : newest.metadata().withMetadata(deserialize(newest.file(), c.metadata()));
            return Optional.of(SelectedSnapshot.create(metadata, snapshot));
        });
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        return onIo(() -> {
            SnapshotFile.Value meta = metadata.metadata().isDefined() ? serialize(metadata.metadata().get()) : null;
            byte[][] content = SnapshotFile.encode(snapshot instanceof PagedSnapshot ? snapshot : serialize(snapshot), meta);
            Path dir = PersistenceIdDirectory.create(root, metadata.persistenceId());
            Path file = dir.resolve(SnapshotFile.name(metadata.sequenceNr(), metadata.timestamp()));
            DurableFiles.writeAtomically(file, () -> pauseBeforeRename(file), content);
            return null;
        });
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        // timestamp 0 means "any snapshot at this sequence number", as in Pekko's own stores
        return delete(metadata.persistenceId(), md -> md.sequenceNr() == metadata.sequenceNr()
                && (metadata.timestamp() == 0 || md.timestamp() == metadata.timestamp()));
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return delete(persistenceId, criteria::matches);
    }

    private Future<Void> delete(String persistenceId, Predicate<SnapshotMetadata> which) {
        return onIo(() -> {
            List<Entry> doomed = list(persistenceId, which);
            for (Entry e : doomed) {
                Files.deleteIfExists(e.file());
            }
            if (!doomed.isEmpty()) {
                DurableFiles.syncDirectory(doomed.get(0).file().getParent());
            }
            return null;
        });
    }

    /**
     * Deletes temp files of saves a crash interrupted. Runs on load, i.e. during recovery, when the
     * persistence id's only writer (its actor) is not saving.
     */
    private void removeInterruptedWrites(String persistenceId) throws IOException {
        Path dir = PersistenceIdDirectory.resolve(root, persistenceId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + DurableFiles.TEMP_SUFFIX)) {
            for (Path t : temps) {
                Files.deleteIfExists(t);
            }
        }
    }

    private record Entry(SnapshotMetadata metadata, Path file) {
    }

    /** Snapshots of {@code persistenceId} accepted by {@code which}, newest first. */
    private List<Entry> list(String persistenceId, Predicate<SnapshotMetadata> which) throws IOException {
        Path dir = PersistenceIdDirectory.resolve(root, persistenceId);
        List<Entry> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        PersistenceIdDirectory.verify(dir, persistenceId);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                SnapshotMetadata md = SnapshotFile.parse(persistenceId, f);
                if (md != null && which.test(md)) {
                    found.add(new Entry(md, f));
                }
            }
        }
        found.sort(Comparator.comparing(Entry::metadata, NEWEST_FIRST));
        return found;
    }

    private SnapshotFile.Value serialize(Object o) {
        Serializer serializer = serialization.findSerializerFor(o);
        String manifest = Serializers.manifestFor(serializer, o);
        // transport information lets serializers write ActorRefs with this system's address
        byte[] bytes = Serialization$.MODULE$.withTransportInformation(system, () -> serializer.toBinary(o));
        return new SnapshotFile.Value(serializer.identifier(), manifest, bytes);
    }

    private Object deserialize(Path file, SnapshotFile.Value v) throws IOException {
        try {
            return serialization.deserialize(v.bytes(), v.serializerId(), v.manifest()).get();
        } catch (Exception e) {
            throw new IOException("cannot deserialize snapshot file " + file + " (serializer "
                    + v.serializerId() + ", manifest [" + v.manifest() + "]): " + e, e);
        }
    }

    private void pauseBeforeRename(Path file) {
        if (pauseBeforeRenameMillis <= 0) return;
        system.log().warning("Fault injection: pausing {} ms inside a snapshot write, before renaming {}",
                pauseBeforeRenameMillis, file);
        try {
            Thread.sleep(pauseBeforeRenameMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface IoTask<T> {
        T run() throws Exception;
    }

    private <T> Future<T> onIo(IoTask<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        io.execute(() -> {
            try {
                f.complete(task.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return ScalaFutures.of(f);
    }
}
