package io.mnemo.bucketstore;

import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.MergeQuerier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.head.Head;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * 50,000 series in three blocks, made once per test JVM: the first half of the range twice (both
 * zones' copies of a partition's block, under two ULIDs), the second half once, with chunk
 * segments of 4 MiB so that the blocks have several. Locally for {@link BlockReader}, and
 * uploaded to a filesystem bucket.
 */
final class BigBlocks {
    static final int SERIES = 50_000;
    private static BigBlocks instance;

    final Path dir;
    final List<Path> local = new ArrayList<>();
    final Path bucketDir;

    private BigBlocks() throws IOException {
        dir = Files.createTempDirectory("bigblocks");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        Head head = StoreData.head(SERIES, 17);
        Path localDir = dir.resolve("local");
        long mid = StoreData.T0 + StoreData.RANGE / 2;
        local.add(StoreData.write(head, localDir, StoreData.T0, mid, 4L << 20));
        local.add(StoreData.write(head, localDir, StoreData.T0, mid, 4L << 20));
        local.add(StoreData.write(head, localDir, mid, StoreData.T0 + StoreData.RANGE, 4L << 20));
        bucketDir = dir.resolve("bucket");
        try (FilesystemBucket bucket = new FilesystemBucket(bucketDir)) {
            for (Path b : local) StoreData.upload(bucket, b);
        }
    }

    static synchronized BigBlocks get() {
        if (instance == null) {
            try {
                instance = new BigBlocks();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** The local blocks as one queryable, as an ingester's blocks answer. */
    Queryable localBlocks(List<BlockReader> open) {
        try {
            for (Path p : local) open.add(BlockReader.open(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return MergeQuerier.of(open);
    }

    private static void delete(Path p) {
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
