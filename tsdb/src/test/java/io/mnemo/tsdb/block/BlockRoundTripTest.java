package io.mnemo.tsdb.block;

import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.MergeQuerier;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.head.Head;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.mnemo.tsdb.block.TestData.MAXT;
import static io.mnemo.tsdb.block.TestData.MINT;
import static io.mnemo.tsdb.block.TestData.T0;
import static io.mnemo.tsdb.block.TestData.assertSameSeries;
import static io.mnemo.tsdb.block.TestData.dump;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writes a block from a head and reads it back: every sample and every matcher answer must match the head's. */
class BlockRoundTripTest {
    private static final int SERIES = 480;

    @TempDir
    static Path dir;
    static Path blocks; // the main block's parent
    static Head head;
    static BlockMeta meta;
    static TreeMap<Labels, List<String>> expected;

    @BeforeAll
    static void writeBlock() throws IOException {
        head = TestData.head(SERIES, 42);
        expected = dump(head, MINT, MAXT - 1);
        blocks = dir.resolve("blocks");
        meta = new BlockWriter(blocks).write(head, MINT, MAXT).orElseThrow();
    }

    @Test
    void metaCountsWhatWasWritten() throws IOException {
        assertEquals(MINT, meta.minTime());
        assertEquals(MAXT, meta.maxTime());
        assertEquals(expected.size(), meta.numSeries());
        assertEquals(TestData.countSamples(expected), meta.numSamples());
        assertEquals(1, meta.compactionLevel());
        assertEquals(List.of(meta.ulid()), meta.sources());
        assertEquals(meta, BlockMeta.read(blocks.resolve(meta.ulid().toString())));
        // the fixture has what the test claims to cover
        assertTrue(expected.size() < SERIES * 2 / 3, "series outside the range must be left out: " + expected.size());
        assertTrue(expected.values().stream().anyMatch(s -> s.size() > 120), "chunks over 120 samples");
        String stale = Long.toHexString(StaleNaN.BITS);
        assertTrue(expected.values().stream().flatMap(List::stream).anyMatch(s -> s.endsWith(" " + stale)), "stale markers");
    }

    @Test
    void blockDirectoryHasPrometheusLayoutAndNoLeftovers() throws IOException {
        Path block = blocks.resolve(meta.ulid().toString());
        assertTrue(Files.isRegularFile(block.resolve("index")));
        assertTrue(Files.isRegularFile(block.resolve("chunks/000001")));
        assertTrue(Files.isRegularFile(block.resolve("meta.json")));
        assertEquals(9, Files.size(block.resolve("tombstones")));
        try (Stream<Path> s = Files.list(blocks)) {
            assertEquals(List.of(block), s.toList(), "only the renamed block is left");
        }
        try (Stream<Path> s = Files.list(block)) {
            assertEquals(4, s.count(), "no temporary index files left");
        }
    }

    @Test
    void everySampleReadsBackAsInTheHead() throws IOException {
        try (BlockReader block = BlockReader.open(blocks.resolve(meta.ulid().toString()))) {
            assertSameSeries(expected, dump(block, Long.MIN_VALUE, Long.MAX_VALUE), "whole block");
            assertSameSeries(expected, dump(block, MINT, MAXT - 1), "block range");
        }
    }

    @Test
    void tinyMappingSlicesReadTheSame() throws IOException {
        // 4 KiB slices: postings, series and chunks cross slice borders, as they do past 2 GiB.
        try (BlockReader block = BlockReader.open(blocks.resolve(meta.ulid().toString()), 12)) {
            assertSameSeries(expected, dump(block, Long.MIN_VALUE, Long.MAX_VALUE), "4 KiB slices");
        }
    }

    @Test
    void subRangesMatchTheHead() throws IOException {
        long[][] ranges = {
                {MINT + 1, MAXT - 2},
                {MINT + 600_000, MINT + 600_000},           // a single instant
                {MINT + 1_234_567, MINT + 2_345_678},
                {T0, MINT + 30_000},                        // overlaps the start only
                {MAXT - 45_000, T0 + TestData.SPAN},        // overlaps the end only
        };
        try (BlockReader block = BlockReader.open(blocks.resolve(meta.ulid().toString()))) {
            for (long[] r : ranges) {
                long mint = Math.max(r[0], MINT);
                long maxt = Math.min(r[1], MAXT - 1);
                assertSameSeries(dump(head, mint, maxt), dump(block, r[0], r[1]), "range " + r[0] + ".." + r[1]);
            }
            assertEquals(0, dump(block, T0, MINT - 1).size());
            assertEquals(0, dump(block, MAXT, Long.MAX_VALUE).size());
        }
    }

    @Test
    void matchersSelectWhatTheHeadSelects() throws IOException {
        List<LabelMatcher[]> queries = List.of(
                m(LabelMatcher.equal("job", "job-3")),
                m(LabelMatcher.equal("job", "job-3"), LabelMatcher.notEqual("env", "prod")),
                m(LabelMatcher.equal("__name__", "metric_2"), LabelMatcher.equal("env", "")),
                m(LabelMatcher.regex("instance", "host-1.*")),
                m(LabelMatcher.regex("instance", "host-1.+"), LabelMatcher.regex("job", "job-1|job-4")),
                m(LabelMatcher.regex("job", "job-(1|2)"), LabelMatcher.notRegex("instance", ".*:9100")),
                m(LabelMatcher.regex("instance", ".*7\\.example.*")),
                m(LabelMatcher.regex("env", "prod|"), LabelMatcher.regex("__name__", ".+")),
                m(LabelMatcher.notRegex("env", "prod|dev"), LabelMatcher.equal("job", "job-0")),
                m(LabelMatcher.equal("zone", "zöne-4")),
                m(LabelMatcher.equal("path", "/a\"b\\c d")),
                m(LabelMatcher.notEqual("zone", ""), LabelMatcher.notRegex("zone", "zöne-0")),
                m(LabelMatcher.equal("nosuchlabel", "x")),
                m(LabelMatcher.equal("job", "nosuchvalue")),
                m(LabelMatcher.regex("job", ".*"), LabelMatcher.equal("env", "dev")),
                m(LabelMatcher.regex("instance", "host-4\\d\\d?\\..*")),
                m(LabelMatcher.notRegex("instance", "host-2.*"), LabelMatcher.equal("job", "job-1")),
                m(LabelMatcher.regex("zone", "zöne-.+"), LabelMatcher.notRegex("zone", "zöne-.+")),
                m(LabelMatcher.notRegex("zone", "zöne-.+"), LabelMatcher.equal("__name__", "metric_3")));
        try (BlockReader block = BlockReader.open(blocks.resolve(meta.ulid().toString()))) {
            int nonEmpty = 0;
            for (LabelMatcher[] q : queries) {
                TreeMap<Labels, List<String>> want = dump(head, MINT, MAXT - 1, q);
                assertSameSeries(want, dump(block, MINT, MAXT - 1, q), List.of(q).toString());
                if (!want.isEmpty()) nonEmpty++;
            }
            assertTrue(nonEmpty >= queries.size() - 4, "the queries must mostly find something: " + nonEmpty);
        }
    }

    @Test
    void labelNamesAndValuesComeFromTheIndex() throws IOException {
        try (BlockReader block = BlockReader.open(blocks.resolve(meta.ulid().toString()));
             Querier bq = block.querier(MINT, MAXT - 1);
             Querier hq = head.querier(MINT, MAXT - 1)) {
            assertEquals(List.of("__name__", "env", "instance", "job", "path", "zone"), bq.labelNames());
            assertEquals(List.of("dev", "prod"), bq.labelValues("env"));
            assertEquals(expected.keySet().stream().map(l -> l.get("instance")).sorted().toList(),
                    bq.labelValues("instance"), "only series in the block");
            assertEquals(List.of(), bq.labelValues("nosuchlabel"));
            LabelMatcher[] q = m(LabelMatcher.equal("job", "job-2"), LabelMatcher.equal("env", ""));
            assertEquals(hq.labelNames(q), bq.labelNames(q));
            assertEquals(hq.labelValues("instance", q), bq.labelValues("instance", q));
            assertEquals(hq.labelValues("zone", q), bq.labelValues("zone", q));
        }
        try (BlockReader block = BlockReader.open(blocks.resolve(meta.ulid().toString()));
             Querier outside = block.querier(MAXT, MAXT + 1000)) {
            assertEquals(List.of(), outside.labelNames());
            assertEquals(List.of(), outside.labelValues("job"));
            assertFalse(outside.select(false, LabelMatcher.equal("job", "job-1")).next());
        }
    }

    /**
     * Prometheus's v2 readers no longer read the label indices and their offset table, so parse
     * them here: one index per label name listing exactly its values (as symbol numbers), each
     * 4-byte aligned and checksummed, as Prometheus writes them.
     */
    @Test
    void labelIndicesListEveryValueOfTheirName() throws IOException {
        Path index = blocks.resolve(meta.ulid().toString()).resolve("index");
        try (MappedFile f = MappedFile.open(index)) {
            IndexReader reader = new IndexReader(f);
            long toc = f.size() - IndexReader.TOC_SIZE;
            long labelIndices = f.be64(toc + 16);
            long labelOffsetTable = f.be64(toc + 24);
            long postings = f.be64(toc + 32);
            assertTrue(f.be64(toc + 8) < labelIndices && labelIndices < postings && postings < labelOffsetTable);
            assertEquals(0, postings % 4);

            Cursor table = checkedSection(f, labelOffsetTable);
            int names = table.be32();
            assertEquals(reader.labelNames().size(), names);
            for (int i = 0; i < names; i++) {
                assertEquals(1, table.uvarint());
                String name = table.uvarintStr();
                long at = table.uvarint();
                assertEquals(0, at % 4, "label index of " + name + " is 4-byte aligned");
                Cursor li = checkedSection(f, at);
                assertEquals(1, li.be32());
                int n = li.be32();
                List<String> values = new java.util.ArrayList<>();
                for (int k = 0; k < n; k++) values.add(reader.symbol(li.be32()));
                List<String> sorted = new java.util.ArrayList<>(values);
                sorted.sort(Utf8Order.STRINGS);
                assertEquals(sorted, values, "values of " + name + " in index order");
                values.sort(null);
                assertEquals(reader.labelValues(name), values, "values of " + name);
            }
            assertEquals(0, table.remaining());
        }
    }

    private static Cursor checkedSection(MappedFile f, long at) {
        long len = f.be32(at) & 0xFFFF_FFFFL;
        assertEquals(f.be32(at + 4 + len), f.crc32c(at + 4, len), "checksum of the section at " + at);
        return new Cursor(f, at + 4, at + 4 + len);
    }

    @Test
    void headAndBlockMergeIntoTheOriginalData() throws IOException {
        Head h = TestData.head(120, 7);
        TreeMap<Labels, List<String>> all = dump(h, Long.MIN_VALUE, Long.MAX_VALUE);
        long cut = MINT;
        BlockMeta m = new BlockWriter(dir.resolve("merge")).write(h, h.minTime(), cut).orElseThrow();
        h.truncate(cut); // what compaction does after cutting the block
        try (BlockReader block = BlockReader.open(dir.resolve("merge").resolve(m.ulid().toString()))) {
            assertSameSeries(all, dump(MergeQuerier.of(List.of(block, h)), Long.MIN_VALUE, Long.MAX_VALUE), "head + block");
        }
    }

    @Test
    void rangeWithoutSamplesWritesNothing() throws IOException {
        Path empty = dir.resolve("empty");
        assertEquals(Optional.empty(), new BlockWriter(empty).write(head, T0 - 10_000_000, T0));
        assertFalse(Files.exists(empty) && Files.list(empty).findAny().isPresent());
        assertThrows(IllegalArgumentException.class, () -> new BlockWriter(empty).write(head, T0, T0));
    }

    @Test
    void smallSegmentsAreCutAndStillRead() throws IOException {
        Path d = dir.resolve("segments");
        BlockMeta m = new BlockWriter(d, 16 * 1024).write(head, MINT, MAXT).orElseThrow();
        Path block = d.resolve(m.ulid().toString());
        try (Stream<Path> s = Files.list(block.resolve("chunks"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.size() > 3, "expected several segments: " + names);
            assertEquals("000001", names.get(0));
            assertEquals(String.format("%06d", names.size()), names.get(names.size() - 1));
        }
        try (Stream<Path> s = Files.list(block.resolve("chunks"))) {
            for (Path p : s.toList()) assertTrue(Files.size(p) <= 16 * 1024, p + " exceeds the segment size");
        }
        try (BlockReader r = BlockReader.open(block)) {
            assertSameSeries(expected, dump(r, Long.MIN_VALUE, Long.MAX_VALUE), "small segments");
        }
    }

    @Test
    void openAllFindsBlocksInTimeOrderAndSkipsUnfinishedOnes() throws IOException {
        Path d = dir.resolve("many");
        Head h = TestData.head(60, 3);
        BlockMeta late = new BlockWriter(d).write(h, MAXT, T0 + TestData.SPAN).orElseThrow();
        BlockMeta early = new BlockWriter(d).write(h, T0, MINT).orElseThrow();
        Files.createDirectories(d.resolve(Ulid.generate() + BlockWriter.TMP_SUFFIX));
        Files.createDirectories(d.resolve("wal"));
        List<BlockReader> blocks = BlockReader.openAll(d);
        try {
            assertEquals(List.of(early.ulid(), late.ulid()), blocks.stream().map(b -> b.meta().ulid()).toList());
        } finally {
            blocks.forEach(BlockReader::close);
        }
    }

    private static LabelMatcher[] m(LabelMatcher... ms) {
        return ms;
    }

}
