package io.mnemo.bench.tsdb;

import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.head.Head;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Time and extra memory to cut one two-hour block out of a head of realistic series (default
 * 1,000,000 series &times; 480 samples at 15 s, i.e. two hours each).
 *
 * <pre>java -Xmx8g -XX:+UseParallelGC -cp bench/target/benchmarks.jar io.mnemo.bench.tsdb.BlockCutTime [series] [dir]</pre>
 */
public final class BlockCutTime {
    public static void main(String[] args) throws Exception {
        int numSeries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("block-cut");
        int samples = 480;
        long start = 1_699_999_200_000L; // two-hour aligned
        Head head = new TsdbWorkload(numSeries).head(start, samples);
        System.out.printf("head: %,d series, %,d samples, [%d, %d]%n", head.numSeries(), head.appended(),
                head.minTime(), head.maxTime());
        long usedBefore = usedAfterGc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();

        long t0 = System.nanoTime();
        BlockMeta meta = new BlockWriter(dir).write(head, start, start + 7_200_000L).orElseThrow();
        long t1 = System.nanoTime();

        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) peak += p.getPeakUsage().getUsed();
        }
        long bytes;
        try (Stream<Path> files = Files.walk(dir.resolve(meta.ulid().toString()))) {
            bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("cut block %s: %,d series, %,d samples, %,d chunks, %,d bytes on disk in %.1f s%n",
                meta.ulid(), meta.numSeries(), meta.numSamples(), meta.numChunks(), bytes, (t1 - t0) / 1e9);
        System.out.printf("heap: %,d bytes live before the cut, peak %,d during it (at most %,d extra, garbage included)%n",
                usedBefore, peak, peak - usedBefore);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static long usedAfterGc() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used >= last) return used;
            last = used;
        }
        return last;
    }
}
