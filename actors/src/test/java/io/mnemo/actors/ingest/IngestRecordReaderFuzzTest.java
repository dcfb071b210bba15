package io.mnemo.actors.ingest;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mnemo.actors.wire.WireMutation;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Property-based fuzzing of {@link IngestRecordReader}, which ingesters run on whatever a Kafka
 * record or a journal event holds: random bytes and damaged valid records only ever throw
 * {@link MalformedRecordException}, every walk ends, and reading allocates in proportion to the
 * record, never what a corrupt length or count claims.
 */
class IngestRecordReaderFuzzTest {
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    @Property(tries = 2000)
    void randomBytes(@ForAll @Size(max = 1500) byte[] record) {
        read(record);
    }

    @Property(tries = 2000)
    void damagedRecords(@ForAll("records") byte[] record, @ForAll("mutations") List<WireMutation> mutations) {
        read(WireMutation.apply(record, mutations));
    }

    /** Walks the record as the ingester's appliers do, touching every accessor. */
    private static void read(byte[] record) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            walk(record); // the first walk may link code (an error message's string concatenation, say)
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long checksum = walk(record);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            // The reader's index arrays grow with what the record holds: a few words per byte at most.
            assertTrue(allocated < 16 * 1024 + 64L * record.length, allocated + " bytes allocated for a record of "
                    + record.length + " (checksum " + checksum + ")");
            IngestRecordReader r = new IngestRecordReader();
            try {
                r.reset(record);
                while (r.nextSeries()) {
                    r.labels(); // Strings of the series' symbols: what creating a series costs
                    if (r.hasMetadata()) r.symbol(r.metadataHelpRef());
                }
            } catch (MalformedRecordException expected) {
                // the one way a reader may refuse a record
            }
        });
    }

    /** Reads everything without making Strings; only {@link MalformedRecordException} may come out. */
    private static long walk(byte[] record) {
        IngestRecordReader r = new IngestRecordReader();
        long checksum = 0;
        try {
            r.reset(record);
            for (int ref = 0; ref < r.symbolCount(); ref++) checksum += r.symbolOffset(ref) + r.symbolLength(ref);
            int series = 0;
            while (r.nextSeries()) {
                assertTrue(++series <= record.length, "more series than bytes: the walk does not advance");
                for (int i = 0; i < r.labelRefCount(); i++) checksum += r.symbolLength(r.labelRef(i));
                checksum += r.labelValueRef(0);
                for (int i = 0; i < r.sampleCount(); i++) checksum += r.sampleTimestamp(i) ^ r.sampleValueBits(i);
                checksum += r.histogramCount();
                if (r.hasMetadata()) {
                    checksum += r.metadataType() + r.symbolLength(r.metadataHelpRef()) + r.symbolLength(r.metadataUnitRef());
                }
            }
        } catch (MalformedRecordException expected) {
            // the one way a reader may refuse a record
        }
        return checksum;
    }

    @Provide
    Arbitrary<byte[]> records() {
        Arbitrary<String> strings = Arbitraries.oneOf(Arbitraries.of("__name__", "job", "up", "", "ü✓"),
                Arbitraries.strings().ofMaxLength(300));
        Arbitrary<long[]> samples = Arbitraries.longs().array(long[].class).ofMaxSize(6);
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 2); // plain, with a histogram, metadata
        Arbitrary<Object[]> series = Combinators.combine(strings.list().ofMinSize(2).ofMaxSize(8), samples, kind)
                .as((labels, s, k) -> new Object[] {labels, s, k});
        return series.list().ofMaxSize(6).map(all -> {
            IngestRecordWriter w = new IngestRecordWriter();
            for (Object[] s : all) {
                @SuppressWarnings("unchecked") List<String> labels = (List<String>) s[0];
                long[] values = (long[]) s[1];
                int k = (Integer) s[2];
                int[] refs = new int[labels.size() & ~1];
                for (int i = 0; i < refs.length; i++) refs[i] = w.symbol(labels.get(i));
                w.beginSeries();
                w.labels(refs, refs.length);
                if (k == 2) {
                    w.metadata(values.length, refs.length > 1 ? refs[1] : 0, 0);
                } else {
                    for (long v : values) w.sample(v, v * 31);
                    if (k == 1) w.histogram(new byte[] {0x08, 0x01, 0x78, 0x05}, 0, 4);
                }
                w.endSeries();
            }
            return w.toByteArray();
        });
    }

    @Provide
    Arbitrary<List<WireMutation>> mutations() {
        Arbitrary<WireMutation> m = Combinators.combine(Arbitraries.of(WireMutation.Kind.values()),
                Arbitraries.doubles().between(0, 1).filter(d -> d < 1),
                Arbitraries.oneOf(Arbitraries.integers().between(-3, 3), Arbitraries.integers().between(0, 255),
                        Arbitraries.of(Integer.MAX_VALUE / 2, 1 << 20))).as(WireMutation::new);
        return m.list().ofMinSize(1).ofMaxSize(3);
    }

    private static com.sun.management.ThreadMXBean threads() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        return (com.sun.management.ThreadMXBean) bean;
    }
}
