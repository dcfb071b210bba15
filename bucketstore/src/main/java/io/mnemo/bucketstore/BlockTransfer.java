package io.mnemo.bucketstore;

import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.db.BlockSidecar;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Moves whole blocks between a local directory and the bucket, in {@link BucketLayout}.
 *
 * <p>Upload (Mimir's {@code block.Upload}): the chunk segments, then the index, then
 * {@code meta.json} with Thanos's and Mnemo's sections ({@link BucketBlockMeta}), last, so the
 * block is in the bucket only once all of it is. Each object is uploaded atomically; uploading a
 * block again replaces it with the same bytes. The local {@code tombstones} (always empty: Mnemo
 * writes no deletions) and sidecar are not uploaded, as Mimir uploads neither; the sidecar's
 * fields go into {@code meta.json}. When a file fails before {@code meta.json}, the objects
 * uploaded so far are deleted again (best effort: a partial block without {@code meta.json} is
 * invisible anyway).
 *
 * <p>Download: every object of the block into {@code <ULID>}{@value #DOWNLOADING_SUFFIX} beside
 * the target, sizes checked against the meta's file list, the sidecar written back from the
 * meta's Mnemo section, everything forced to disk, then the directory renamed to the ULID: a local
 * block appears whole or not at all, as one the ingester cut itself does. Marks in the block's
 * directory ({@code deletion-mark.json}, {@code no-compact-mark.json}) are not the block's and stay
 * in the bucket.
 */
public final class BlockTransfer {
    /** Suffix of a block directory being downloaded. */
    public static final String DOWNLOADING_SUFFIX = ".tmp-for-download";

    private final Bucket bucket;

    public BlockTransfer(Bucket bucket) {
        this.bucket = bucket;
    }

    /**
     * Uploads a local block directory (named by its ULID, as cut) as {@code <tenant>/<ULID>/}.
     * Returns the meta uploaded.
     */
    public BucketBlockMeta upload(String tenant, Path blockDir) throws IOException {
        BlockSidecar sidecar = BlockSidecar.read(blockDir).orElse(new BlockSidecar(Map.of(), false));
        return upload(tenant, blockDir, (block, files) -> BucketBlockMeta.ofIngesterBlock(block, files, sidecar));
    }

    /**
     * Uploads a block the compactor wrote, as {@link #upload(String, Path)} does, with the meta of
     * a compacted block ({@link BucketBlockMeta#ofCompactedBlock}: source "compactor", no origin).
     * Returns the meta uploaded.
     */
    public BucketBlockMeta uploadCompacted(String tenant, Path blockDir) throws IOException {
        return uploadCompacted(tenant, blockDir, List.of());
    }

    /** A compacted block, with what it holds of each ingester's blocks ({@link SourceOrigin#merge}). */
    public BucketBlockMeta uploadCompacted(String tenant, Path blockDir, List<SourceOrigin> sources) throws IOException {
        return upload(tenant, blockDir, (block, files) -> BucketBlockMeta.ofCompactedBlock(block, files, sources));
    }

    private BucketBlockMeta upload(String tenant, Path blockDir,
                                   java.util.function.BiFunction<BlockMeta, List<BucketBlockMeta.BlockFile>, BucketBlockMeta> metaOf)
            throws IOException {
        BlockMeta block = BlockMeta.read(blockDir);
        if (!blockDir.getFileName().toString().equals(block.ulid().toString())) {
            throw new IOException(blockDir + ": directory name does not match the block's ULID " + block.ulid());
        }
        List<BucketBlockMeta.BlockFile> files = new ArrayList<>();
        for (Path chunk : chunkSegments(blockDir)) {
            files.add(new BucketBlockMeta.BlockFile(BucketLayout.CHUNKS + "/" + chunk.getFileName(), Files.size(chunk)));
        }
        files.add(new BucketBlockMeta.BlockFile(BucketLayout.INDEX, Files.size(blockDir.resolve(BucketLayout.INDEX))));
        files.add(new BucketBlockMeta.BlockFile(BucketLayout.META, -1));
        BucketBlockMeta meta = metaOf.apply(block, files);
        byte[] metaJson = meta.encode();

        List<String> uploaded = new ArrayList<>();
        try {
            for (BucketBlockMeta.BlockFile f : meta.files()) { // chunks/..., index: in name order, meta.json not yet
                if (f.relPath().equals(BucketLayout.META)) continue;
                String name = BucketLayout.object(tenant, block.ulid(), f.relPath());
                bucket.upload(name, blockDir.resolve(f.relPath()));
                uploaded.add(name);
            }
        } catch (IOException | RuntimeException e) {
            for (String name : uploaded) {
                try {
                    bucket.delete(name);
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        // Last: from here on the block is in the bucket. No clean-up after a failure here: the
        // store may have taken it all the same (an S3 503 can come after the write).
        bucket.upload(BucketLayout.object(tenant, block.ulid(), BucketLayout.META), new ByteArrayInputStream(metaJson),
                metaJson.length);
        return meta;
    }

    /**
     * Downloads a block into {@code tenantDir/<ULID>}, given its meta as read from the bucket.
     * A block already there is left as it is. Returns the block's directory.
     *
     * @throws IOException when the bucket fails, the block's objects do not match its meta, or
     *     the local disk fails; nothing is left under the block's name then
     */
    public Path download(String tenant, BucketBlockMeta meta, Path tenantDir) throws IOException {
        Ulid ulid = meta.block().ulid();
        Path target = tenantDir.resolve(ulid.toString());
        if (Files.isDirectory(target)) return target;
        Files.createDirectories(tenantDir);
        Path tmp = tenantDir.resolve(ulid + DOWNLOADING_SUFFIX);
        deleteRecursively(tmp); // left by a crash
        try {
            Files.createDirectories(tmp.resolve(BucketLayout.CHUNKS));
            String prefix = BucketLayout.block(tenant, ulid) + "/";
            List<String> names = new ArrayList<>();
            bucket.iter(prefix, true, names::add);
            Map<String, Long> sizes = new HashMap<>();
            for (String name : names) {
                String rel = name.substring(prefix.length());
                if (rel.equals(BucketLayout.META)) continue; // written below, from what was read
                if (BucketLayout.MARK_FILES.contains(rel)) continue; // the compactor's marks, not the block's
                Path file = local(tmp, rel);
                Files.createDirectories(file.getParent());
                try (InputStream in = bucket.get(name)) {
                    sizes.put(rel, Files.copy(in, file));
                }
                force(file);
            }
            for (BucketBlockMeta.BlockFile f : meta.files()) {
                if (f.relPath().equals(BucketLayout.META)) continue;
                Long got = sizes.get(f.relPath());
                if (got == null || (f.sizeBytes() >= 0 && got != f.sizeBytes())) {
                    throw new IOException(bucket.describe() + " " + prefix + f.relPath() + ": "
                            + (got == null ? "missing" : got + " bytes, meta.json says " + f.sizeBytes()));
                }
            }
            if (!sizes.containsKey(BucketLayout.INDEX)) throw new IOException(bucket.describe() + " " + prefix + " has no index");
            Files.write(tmp.resolve(BucketLayout.META), meta.encode(), StandardOpenOption.CREATE_NEW);
            force(tmp.resolve(BucketLayout.META));
            if (meta.origin() != null || meta.outOfOrder()) {
                Files.write(tmp.resolve(BlockSidecar.FILE), meta.sidecar().encode(), StandardOpenOption.CREATE_NEW);
                force(tmp.resolve(BlockSidecar.FILE));
            }
            force(tmp.resolve(BucketLayout.CHUNKS));
            force(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            force(tenantDir);
            return target;
        } catch (IOException | RuntimeException e) {
            try {
                deleteRecursively(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The local file of a block object's relative path: "index" or "chunks/&lt;segment&gt;", nothing else. */
    private static Path local(Path blockDir, String rel) throws IOException {
        String[] parts = rel.split("/", -1);
        boolean known = parts.length == 1 ? parts[0].equals(BucketLayout.INDEX)
                : parts.length == 2 && parts[0].equals(BucketLayout.CHUNKS) && parts[1].matches("[0-9]{6,}");
        if (!known) throw new IOException("unexpected object in a block directory: " + rel);
        return blockDir.resolve(rel);
    }

    /** The chunk segment files of a local block, in name order. */
    private static List<Path> chunkSegments(Path blockDir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(blockDir.resolve(BucketLayout.CHUNKS), Files::isRegularFile)) {
            for (Path p : ds) out.add(p);
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    private static void force(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // gone already
        }
    }
}
