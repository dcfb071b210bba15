package io.mnemo.bench.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.head.Head;
import io.mnemo.tsdb.head.MemSeries;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap retained by a head per active series, and bytes per sample of its chunks.
 *
 * <p>Fills a {@link Head} with the {@link TsdbWorkload} series (default 1,000,000 &times; 120
 * samples, i.e. one full 30-minute chunk each), then reads the heap in use after full
 * collections ({@code System.gc()} repeated until the figure stops falling) and subtracts the
 * same figure taken before the head was built. Everything the head references counts (series,
 * labels and symbols, chunks, postings, lookup tables); nothing else is alive in between, since
 * labels and samples are generated on the fly. Run with a collector whose {@code System.gc()} is
 * a full, compacting collection (Serial, Parallel or G1) and a heap big enough. Then truncates
 * the head past its last sample and measures again: what the empty head still holds.
 *
 * <pre>java -Xmx8g -XX:+UseParallelGC -cp bench/target/benchmarks.jar io.mnemo.bench.tsdb.HeadHeapUsage [series] [samples]</pre>
 */
public final class HeadHeapUsage {
    public static void main(String[] args) {
        int numSeries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        TsdbWorkload workload = new TsdbWorkload(numSeries);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

        long before = usedAfterGc(memory);
        long t0 = System.nanoTime();
        Head head = new Head();
        int[] refs = new int[numSeries];
        for (int s = 0; s < numSeries; s++) refs[s] = head.getOrCreateSeries(workload.labels(s));
        long t1 = System.nanoTime();
        TsdbWorkload.Samples gen = new TsdbWorkload.Samples(1_700_000_000_000L);
        for (int s = 0; s < numSeries; s++) {
            gen.reset(s);
            for (int i = 0; i < samples; i++) {
                gen.next();
                head.append(refs[s], gen.timestamp(), gen.value());
            }
        }
        long t2 = System.nanoTime();
        refs = null;
        long after = usedAfterGc(memory);

        long chunkBytes = 0;
        long chunks = 0;
        for (int ref : head.postings().allPostings()) {
            MemSeries ms = head.series(ref);
            for (ChunkMeta c : ms.chunks()) {
                chunkBytes += c.chunk().length();
                chunks++;
            }
        }
        long retained = after - before;
        System.out.printf("series:               %,d x %d samples (%,d appended), %d labels each%n",
                head.numSeries(), samples, head.appended(), workload.labels(0).size());
        System.out.printf("build:                series %.1f s, samples %.1f s (%.0f samples/s, one series at a time)%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, head.appended() / ((t2 - t1) / 1e9));
        System.out.printf("heap used after GC:   %,d bytes before, %,d bytes after (%s)%n", before, after,
                ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
        System.out.printf("retained by the head: %,d bytes = %.0f bytes per series%n", retained,
                (double) retained / numSeries);
        System.out.printf("  of which chunk data %,d bytes in %,d chunks = %.0f bytes per series, %.3f bytes per sample%n",
                chunkBytes, chunks, (double) chunkBytes / numSeries, (double) chunkBytes / head.appended());
        System.out.printf("  the rest            %.0f bytes per series (series, labels, symbols, postings, buffers)%n",
                (double) (retained - chunkBytes) / numSeries);
        if (head.numSeries() != numSeries) throw new AssertionError("series lost");

        // Every series' data is now "in a block": truncating past it must give the memory back.
        long t3 = System.nanoTime();
        int removed = head.truncate(Long.MAX_VALUE);
        long t4 = System.nanoTime();
        long emptied = usedAfterGc(memory);
        System.out.printf("truncate(all):        %,d series removed in %.1f s; the head retains %,d bytes, %d symbols%n",
                removed, (t4 - t3) / 1e9, emptied - before, head.symbols().size());
    }

    /** Heap in use after full collections, repeated until it stops falling. */
    static long usedAfterGc(MemoryMXBean memory) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (used >= best && i >= 3) return Math.min(best, used);
            best = Math.min(best, used);
        }
        return best;
    }
}
