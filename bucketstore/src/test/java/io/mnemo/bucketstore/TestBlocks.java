package io.mnemo.bucketstore;

import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.objstore.ObjectAttributes;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.db.Cut;
import io.mnemo.tsdb.db.CutHook;
import io.mnemo.tsdb.db.MappedBlocks;
import io.mnemo.tsdb.db.TenantDb;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Real blocks cut by a {@link TenantDb} for the storage tests, and a bucket that records and fails on demand. */
public final class TestBlocks {
    public static final long RANGE = 7_200_000L;
    public static final long T0 = 1_700_006_400_000L;

    private TestBlocks() {}

    /**
     * Cuts a block of {@code series} series with a sample a minute over one block range into
     * {@code tenantDir}, its sidecar naming {@code origin}; returns its directory.
     */
    public static Path cut(Path tenantDir, int series, BlockOrigin origin) {
        TenantDb db = new TenantDb(tenantDir, RANGE, new MappedBlocks(8));
        for (int s = 0; s < series; s++) {
            int ref = db.head().getOrCreateSeries(Labels.of("__name__", "m", "s", Integer.toString(s)));
            for (long t = T0; t < T0 + RANGE; t += 60_000) db.head().append(ref, t, s + t / 1e6);
        }
        List<BlockMeta> blocks = db.flush(new CutHook() {
            @Override
            public Map<String, String> origin(Cut cut) { return origin.fields(); }

            @Override
            public void cut(Cut cut, List<BlockMeta> metas) {}
        });
        db.close();
        return tenantDir.resolve(blocks.get(0).ulid().toString());
    }

    /** Every sample of a block: series → "t=v ..." */
    public static Map<String, String> samples(Path blockDir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (BlockReader b = BlockReader.open(blockDir); Querier q = b.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(true, LabelMatcher.equal("__name__", "m"));
            while (set.next()) {
                StringBuilder sb = new StringBuilder();
                for (SampleIterator it = set.at().iterator(); it.next(); ) sb.append(it.timestamp()).append('=').append(it.value()).append(' ');
                out.put(set.at().labels().toString(), sb.toString());
            }
        }
        return out;
    }

    /**
     * A filesystem bucket that records every upload and delete, in order, calls {@code
     * beforeUpload} with the name before each upload (a reader looking at the bucket then), and
     * fails the uploads {@code failUploads} matches.
     */
    public static final class RecordingBucket implements Bucket {
        public final FilesystemBucket delegate;
        public final List<String> calls = new ArrayList<>();
        public volatile java.util.function.Predicate<String> failUploads = name -> false;
        public volatile Consumer<String> beforeUpload = name -> {};

        public RecordingBucket(Path dir) throws IOException {
            this.delegate = new FilesystemBucket(dir);
        }

        public synchronized List<String> uploads() {
            return calls.stream().filter(c -> c.startsWith("upload ")).map(c -> c.substring(7)).toList();
        }

        private void upload(String name) throws IOException {
            beforeUpload.accept(name);
            synchronized (this) {
                calls.add("upload " + name);
            }
            if (failUploads.test(name)) throw new IOException("injected failure uploading " + name);
        }

        @Override
        public InputStream get(String name) throws IOException { return delegate.get(name); }

        @Override
        public InputStream getRange(String name, long offset, long length) throws IOException {
            return delegate.getRange(name, offset, length);
        }

        @Override
        public void upload(String name, InputStream in, long length) throws IOException {
            upload(name);
            delegate.upload(name, in, length);
        }

        @Override
        public void upload(String name, Path file) throws IOException {
            upload(name);
            delegate.upload(name, file);
        }

        @Override
        public void delete(String name) throws IOException {
            synchronized (this) {
                calls.add("delete " + name);
            }
            delegate.delete(name);
        }

        @Override
        public void iter(String dir, boolean recursive, Consumer<String> f) throws IOException { delegate.iter(dir, recursive, f); }

        @Override
        public boolean exists(String name) throws IOException { return delegate.exists(name); }

        @Override
        public ObjectAttributes attributes(String name) throws IOException { return delegate.attributes(name); }

        @Override
        public String describe() { return "recording " + delegate.describe(); }

        @Override
        public void close() throws IOException { delegate.close(); }
    }
}
