package io.mnemo.bucketstore.indexheader;

import io.mnemo.objstore.Bucket;
import io.mnemo.tsdb.block.ByteSource;
import io.mnemo.tsdb.block.IndexFormat;
import io.mnemo.tsdb.block.IndexTables;
import io.mnemo.tsdb.block.MappedFile;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index-header of a block in object storage (after Mimir's and Thanos's): a small local file
 * holding the two sections of the block's index that every lookup starts from, the symbol table
 * and the postings offset table, copied byte for byte with their checksums, and where the other
 * sections lie in the index. It is built from the bucket's {@code index} object with three ranged
 * reads (the table of contents at its end, the start of the index through the symbol table, the
 * postings offset table), never the whole index, and written atomically (a temporary file forced
 * to disk, then renamed). Opening it maps the file and keeps in memory what lookups start from
 * ({@link IndexTables}: every 32nd symbol, per label name its sparse postings-offset entries);
 * postings lists and series entries are then read from the bucket by the ranges it gives.
 *
 * <pre>
 * index-header  := magic version ulid index-size series-start series-end postings-end
 *                  symbols-at table-at crc32c symbol-table postings-offset-table
 * magic         := be32(0x4D4E4948)    "MNIH": Mnemo's index-header, not Mimir's (0xBAAAD792)
 * version       := u8(1)
 * ulid          := 26 bytes            the block's ULID in Crockford base32: a header copied from
 *                                      another block is foreign, and rebuilt
 * index-size    := be64                size of the index object it was built from
 * series-start  := be64                where the index's series section starts (its TOC)
 * series-end    := be64                where it ends: the label indices' start
 * postings-end  := be64                where the postings section ends: the label offset table's start
 * symbols-at    := be64                position of symbol-table in this file (83)
 * table-at      := be64                position of postings-offset-table in this file
 * crc32c        := be32                CRC32C of everything above
 * symbol-table  := be32(len) bytes(len) be32(crc32c)     the index's section, byte for byte
 * postings-offset-table := be32(len) bytes(len) be32(crc32c)  likewise; its offsets address the index
 * </pre>
 *
 * The file ends right after the postings offset table. A file that is not exactly this (another
 * version, a checksum mismatch, another block's, truncated) is deleted and built again.
 *
 * <p>Immutable after opening and safe for concurrent use; {@link #close} unmaps it, so its owner
 * closes it only once no reader is left.
 */
public final class IndexHeader implements AutoCloseable {
    public static final String FILE_NAME = "index-header";
    static final int MAGIC = 0x4D4E4948;
    static final int VERSION = 1;
    static final int PREFIX_SIZE = 4 + 1 + 26 + 6 * 8 + 4;
    private static final Logger log = LoggerFactory.getLogger(IndexHeader.class);

    private final MappedFile file;
    private final IndexTables tables;
    private final long indexSize;
    private final long seriesStart;
    private final long seriesEnd;
    private final long postingsEnd;

    private IndexHeader(MappedFile file, IndexTables tables, long indexSize, long seriesStart, long seriesEnd,
                        long postingsEnd) {
        this.file = file;
        this.tables = tables;
        this.indexSize = indexSize;
        this.seriesStart = seriesStart;
        this.seriesEnd = seriesEnd;
        this.postingsEnd = postingsEnd;
    }

    /**
     * Opens the index-header {@code dir/index-header} of a block, building it first from the
     * bucket's index object when it is missing, or when it is corrupt or another's (then it is
     * rebuilt).
     *
     * @param indexSize the index object's size if known (meta.json lists it), else -1
     * @throws IOException when the bucket fails or the index in it is damaged
     */
    public static IndexHeader openOrBuild(Bucket bucket, String indexObject, long indexSize, Ulid ulid, Path dir)
            throws IOException {
        Path path = dir.resolve(FILE_NAME);
        if (Files.exists(path)) {
            try {
                return open(path, ulid);
            } catch (IOException | RuntimeException e) {
                log.warn("index-header {} is not usable ({}); building it again", path, e.toString());
                Files.deleteIfExists(path);
            }
        }
        build(bucket, indexObject, indexSize, ulid, path);
        try {
            return open(path, ulid);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw new IOException(bucket.describe() + " " + indexObject + ": the index-header built from it is unusable: "
                    + e.getMessage(), e);
        }
    }

    /** Opens and checks an index-header file. */
    static IndexHeader open(Path path, Ulid ulid) throws IOException {
        MappedFile f = MappedFile.open(path);
        try {
            if (f.size() < PREFIX_SIZE) throw new IOException(path + ": too small for an index-header");
            if (f.be32(0) != MAGIC) throw new IOException(path + ": not an index-header (magic " + Integer.toHexString(f.be32(0)) + ")");
            if (f.u8(4) != VERSION) throw new IOException(path + ": index-header version " + f.u8(4) + ", this build reads " + VERSION);
            if (f.crc32c(0, PREFIX_SIZE - 4) != f.be32(PREFIX_SIZE - 4)) throw new IOException(path + ": index-header checksum mismatch");
            byte[] id = new byte[26];
            f.copy(5, id, 0, 26);
            String idString = new String(id, StandardCharsets.US_ASCII);
            if (!idString.equals(ulid.toString())) throw new IOException(path + ": index-header of block " + idString + ", not " + ulid);
            long at = 31;
            long indexSize = f.be64(at);
            long seriesStart = f.be64(at + 8);
            long seriesEnd = f.be64(at + 16);
            long postingsEnd = f.be64(at + 24);
            long symbolsAt = f.be64(at + 32);
            long tableAt = f.be64(at + 40);
            if (symbolsAt != PREFIX_SIZE || tableAt <= symbolsAt || tableAt + 8 > f.size()
                    || tableAt + 8 + (f.be32(tableAt) & 0xFFFF_FFFFL) != f.size()) {
                throw new IOException(path + ": index-header sections out of place");
            }
            if (!(seriesStart <= seriesEnd && seriesEnd <= postingsEnd && postingsEnd <= indexSize)) {
                throw new IOException(path + ": index-header positions out of order");
            }
            IndexTables tables = new IndexTables(f, symbolsAt, tableAt, postingsEnd);
            return new IndexHeader(f, tables, indexSize, seriesStart, seriesEnd, postingsEnd);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Builds the index-header at {@code path} from the bucket's index object, with three ranged reads. */
    static void build(Bucket bucket, String indexObject, long indexSize, Ulid ulid, Path path) throws IOException {
        String what = bucket.describe() + " " + indexObject;
        if (indexSize < 0) indexSize = bucket.attributes(indexObject).size();
        if (indexSize < IndexFormat.HEADER_SIZE + IndexFormat.TOC_SIZE) throw new IOException(what + ": too small for an index");
        long tocAt = indexSize - IndexFormat.TOC_SIZE;
        IndexFormat.Toc toc = IndexFormat.readToc(ByteSource.wrap(read(bucket, indexObject, tocAt, IndexFormat.TOC_SIZE), tocAt, what),
                indexSize);

        Path tmp = path.resolveSibling(FILE_NAME + ".tmp");
        Files.createDirectories(path.getParent());
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.position(PREFIX_SIZE);
            // The start of the index: magic and version, then the symbol table (padding may follow it).
            try (InputStream in = bucket.getRange(indexObject, 0, toc.series())) {
                byte[] head = readN(in, IndexFormat.HEADER_SIZE, what);
                IndexFormat.checkHeader(ByteSource.wrap(head, 0, what));
                skipN(in, toc.symbols() - IndexFormat.HEADER_SIZE, what);
                byte[] len = readN(in, 4, what);
                long body = ByteBuffer.wrap(len).getInt() & 0xFFFF_FFFFL;
                if (toc.symbols() + 4 + body + 4 > toc.series()) throw new IOException(what + ": symbol table runs into the series");
                out.write(ByteBuffer.wrap(len));
                copyN(in, out, body + 4, what);
            }
            long tableAt = out.position();
            long tableLen = tocAt - toc.postingsOffsetTable();
            try (InputStream in = bucket.getRange(indexObject, toc.postingsOffsetTable(), tableLen)) {
                copyN(in, out, tableLen, what);
            }
            ByteBuffer prefix = ByteBuffer.allocate(PREFIX_SIZE);
            prefix.putInt(MAGIC).put((byte) VERSION).put(ulid.toString().getBytes(StandardCharsets.US_ASCII));
            prefix.putLong(indexSize).putLong(toc.series()).putLong(toc.labelIndices()).putLong(toc.labelOffsetTable());
            prefix.putLong(PREFIX_SIZE).putLong(tableAt);
            CRC32C crc = new CRC32C();
            crc.update(prefix.array(), 0, PREFIX_SIZE - 4);
            prefix.putInt((int) crc.getValue()).flip();
            while (prefix.hasRemaining()) out.write(prefix, PREFIX_SIZE - prefix.remaining());
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static byte[] read(Bucket bucket, String name, long offset, int length) throws IOException {
        try (InputStream in = bucket.getRange(name, offset, length)) {
            return readN(in, length, bucket.describe() + " " + name);
        }
    }

    private static byte[] readN(InputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new IOException(what + ": ends early (" + b.length + " of " + n + " bytes)");
        return b;
    }

    private static void skipN(InputStream in, long n, String what) throws IOException {
        if (n < 0) throw new IOException(what + ": symbol table before the header");
        in.skipNBytes(n);
    }

    private static void copyN(InputStream in, FileChannel out, long n, String what) throws IOException {
        byte[] buf = new byte[64 << 10];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw new IOException(what + ": ends early (" + n + " bytes missing)");
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, r);
            while (bb.hasRemaining()) out.write(bb);
            n -= r;
        }
    }

    /** The symbol and postings offset tables. */
    public IndexTables tables() { return tables; }

    /** Size of the index object. */
    public long indexSize() { return indexSize; }

    /** [seriesStart, seriesEnd): the series section of the index. */
    public long seriesStart() { return seriesStart; }

    public long seriesEnd() { return seriesEnd; }

    /** Where the postings section of the index ends. */
    public long postingsEnd() { return postingsEnd; }

    /** Size of the index-header file. */
    public long sizeBytes() { return file.size(); }

    @Override
    public void close() {
        file.close();
    }
}
