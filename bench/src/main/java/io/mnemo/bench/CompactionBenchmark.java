package io.mnemo.bench;

import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.compact.BlockCompactor;
import io.mnemo.tsdb.head.AppendResult;
import io.mnemo.tsdb.head.Head;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time, throughput and peak memory of {@link BlockCompactor} on a day of the synthetic workload:
 * builds two-hour blocks of {@link SyntheticSeries} (counters and gauges, 8 labels each) in a
 * temporary directory, then compacts them into one block, by default in a child JVM so that the
 * peak RSS it reports ({@code VmHWM}) is the compaction's own and not the block building's.
 *
 * <pre>bench/run io.mnemo.bench.CompactionBenchmark --series 100000 --hours 24 --scrape 15s</pre>
 *
 * <p>{@code --copies 2} writes every two-hour block twice, as two zones ship them, for the
 * vertical (deduplicating) case.
 */
@Command(name = "CompactionBenchmark", mixinStandardHelpOptions = true,
        description = "Times the compaction of two-hour blocks into one block.")
public final class CompactionBenchmark implements Callable<Integer> {
    private static final long BLOCK_MS = 7_200_000L;
    private static final String RESULT = "RESULT ";

    @Option(names = "--series", defaultValue = "100000", description = "Series (default: 100000).")
    int series;
    @Option(names = "--hours", defaultValue = "24", description = "Hours of data, a multiple of 2 (default: 24).")
    int hours;
    @Option(names = "--scrape", defaultValue = "15s", converter = RemoteWriteLoad.DurationConverter.class,
            description = "Scrape interval (default: 15s).")
    Duration scrape;
    @Option(names = "--copies", defaultValue = "1", description = "Identical copies of each two-hour block (zones; default: 1).")
    int copies;
    @Option(names = "--child-heap", defaultValue = "1g", description = "-Xmx of the compacting child JVM (default: 1g).")
    String childHeap;
    @Option(names = "--in-process", description = "Compact in this JVM instead of a child (peak RSS then includes building the blocks).")
    boolean inProcess;
    @Option(names = "--dir", description = "Work directory (default: a new temporary one, deleted afterwards).")
    Path dir;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--child")) {
            System.exit(child(args));
        }
        System.exit(new CommandLine(new CompactionBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (hours < 2 || hours % 2 != 0) throw new IllegalArgumentException("--hours must be a positive multiple of 2");
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("mnemo-compaction");
        try {
            List<Path> inputs = buildBlocks(work.resolve("in"));
            long inputBytes = 0;
            long inputSamples = 0;
            for (Path b : inputs) {
                inputBytes += size(b);
                inputSamples += BlockMeta.read(b).numSamples();
            }
            System.out.printf("inputs: %d blocks, %,d samples, %,d bytes (%,.0f bytes per block, %.2f bytes per sample)%n",
                    inputs.size(), inputSamples, inputBytes, inputBytes / (double) inputs.size(),
                    inputBytes / (double) inputSamples);

            Path out = work.resolve("out");
            String result = inProcess ? compact(out, inputs) : compactInChild(out, inputs);
            String[] f = result.substring(RESULT.length()).split(" ");
            double seconds = Long.parseLong(f[0]) / 1e9;
            long samples = Long.parseLong(f[1]);
            Path block = out.resolve(f[4]);
            System.out.printf("output: 1 block, %,d series, %,d samples, %,d chunks, %,d bytes%n",
                    Long.parseLong(f[2]), samples, Long.parseLong(f[3]), size(block));
            System.out.printf("compaction (%s): %.2f s wall, %,.0f input samples/s, %,.0f output samples/s%n",
                    inProcess ? "in this JVM" : "child JVM -Xmx" + childHeap, seconds, inputSamples / seconds, samples / seconds);
            System.out.printf("memory: peak RSS (VmHWM) %,d MiB, of which at the end anonymous %,d MiB and mapped files %,d MiB; "
                            + "peak heap used %,d MiB (garbage included)%n",
                    Long.parseLong(f[5]) >> 20, Long.parseLong(f[6]) >> 20, Long.parseLong(f[7]) >> 20,
                    Long.parseLong(f[8]) >> 20);
            return 0;
        } finally {
            if (dir == null) deleteTree(work);
        }
    }

    /** Two-hour blocks of the workload, each from its own head, {@link #copies} times each. */
    private List<Path> buildBlocks(Path db) throws IOException {
        Labels[] labels = new Labels[series];
        for (int s = 0; s < series; s++) {
            Labels.Builder b = new Labels.Builder();
            for (Remote.Label l : SyntheticSeries.labels(s)) b.set(l.getName(), l.getValue());
            labels[s] = b.build();
        }
        long step = scrape.toMillis();
        double stepSeconds = step / 1000.0;
        long start = (System.currentTimeMillis() - hours * 3_600_000L) / BLOCK_MS * BLOCK_MS - BLOCK_MS;
        List<Path> blocks = new ArrayList<>();
        long t0 = System.nanoTime();
        int[] refs = new int[series];
        for (long from = start; from < start + hours * 3_600_000L; from += BLOCK_MS) {
            Head head = new Head();
            for (int s = 0; s < series; s++) refs[s] = head.getOrCreateSeries(labels[s]);
            for (long t = from; t < from + BLOCK_MS; t += step) {
                int round = (int) ((t - start) / step);
                for (int s = 0; s < series; s++) {
                    AppendResult r = head.append(refs[s], t, SyntheticSeries.value(s, round, stepSeconds));
                    if (r != AppendResult.OK) throw new IllegalStateException("append " + labels[s] + " @" + t + ": " + r);
                }
            }
            for (int c = 0; c < copies; c++) {
                BlockMeta m = new BlockWriter(db).write(head, from, from + BLOCK_MS).orElseThrow();
                blocks.add(db.resolve(m.ulid().toString()));
            }
        }
        System.out.printf("built %d blocks of %,d series x %s in %.1f s%n", blocks.size(), series, scrape,
                (System.nanoTime() - t0) / 1e9);
        return blocks;
    }

    private String compactInChild(Path out, List<Path> inputs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + childHeap, "-cp", System.getProperty("java.class.path"), CompactionBenchmark.class.getName(),
                "--child", out.toString()));
        for (Path p : inputs) cmd.add(p.toString());
        Path log = Files.createTempFile("compaction-child", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int exit = p.waitFor();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            for (String line : output.split("\n")) {
                if (exit == 0 && line.startsWith(RESULT)) return line;
            }
            throw new IllegalStateException("compacting child exited with " + exit + ":\n" + output);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The child JVM: {@code --child <out> <block>...}; prints one RESULT line. */
    private static int child(String[] args) {
        try {
            List<Path> inputs = new ArrayList<>();
            for (int i = 2; i < args.length; i++) inputs.add(Path.of(args[i]));
            System.out.println(compact(Path.of(args[1]), inputs));
            return 0;
        } catch (Exception e) {
            e.printStackTrace(System.out);
            return 1;
        }
    }

    /**
     * Compacts and returns "RESULT wall-ns samples series chunks ulid vmhwm rss-anon rss-file
     * peak-heap" (bytes).
     */
    private static String compact(Path out, List<Path> inputs) throws IOException {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();
        long t0 = System.nanoTime();
        BlockMeta m = new BlockCompactor(out).compact(inputs).orElseThrow();
        long wall = System.nanoTime() - t0;
        long peakHeap = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) peakHeap += p.getPeakUsage().getUsed();
        }
        return RESULT + wall + " " + m.numSamples() + " " + m.numSeries() + " " + m.numChunks() + " " + m.ulid() + " "
                + status("VmHWM:") + " " + status("RssAnon:") + " " + status("RssFile:") + " " + peakHeap;
    }

    /** A size field of /proc/self/status, in bytes. */
    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return -1;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
