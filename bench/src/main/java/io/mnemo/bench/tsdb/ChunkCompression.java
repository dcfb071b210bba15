package io.mnemo.bench.tsdb;

import io.mnemo.tsdb.chunkenc.XorAppender;
import io.mnemo.tsdb.chunkenc.XorChunk;

/**
 * Bytes per sample of XOR chunks for the {@link TsdbWorkload} counters and gauges scraped every
 * 15 s: every series' samples are encoded into chunks of 120 samples (Prometheus's size, 30
 * minutes at 15 s) and the encoded chunk bytes, 2-byte header included, are divided by the
 * samples. Prints the figure per metric kind, per variant (how often values move) and over all.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mnemo.bench.tsdb.ChunkCompression [series] [samples per series]</pre>
 */
public final class ChunkCompression {
    public static void main(String[] args) {
        int numSeries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 480;
        new TsdbWorkload(numSeries); // validates the count
        long[] bytes = new long[20];
        long[] count = new long[20];
        long[] variantBytes = new long[5];
        long[] variantCount = new long[5];
        TsdbWorkload.Samples gen = new TsdbWorkload.Samples(1_700_000_000_000L);
        for (int s = 0; s < numSeries; s++) {
            int kind = TsdbWorkload.kind(s);
            gen.reset(s);
            XorChunk chunk = null;
            XorAppender app = null;
            for (int i = 0; i < samples; i++) {
                if (i % 120 == 0) {
                    if (chunk != null) bytes[kind] += chunk.length();
                    chunk = new XorChunk();
                    app = chunk.appender();
                }
                gen.next();
                app.append(gen.timestamp(), gen.value());
                count[kind]++;
            }
            bytes[kind] += chunk.length();
        }
        for (int s = 0; s < numSeries; s++) { // second pass, by variant; same data
            gen.reset(s);
            for (int c = 0; c < samples; c += 120) {
                XorChunk chunk = new XorChunk();
                XorAppender app = chunk.appender();
                for (int i = c; i < Math.min(samples, c + 120); i++) {
                    gen.next();
                    app.append(gen.timestamp(), gen.value());
                    variantCount[s % 5]++;
                }
                variantBytes[s % 5] += chunk.length();
            }
        }
        long allBytes = 0, allSamples = 0, counterBytes = 0, counterSamples = 0;
        System.out.printf("%-42s %8s%n", "metric kind", "B/sample");
        for (int k = 0; k < 20; k++) {
            System.out.printf("%-42s %8.3f%n", TsdbWorkload.metricName(k), (double) bytes[k] / count[k]);
            allBytes += bytes[k];
            allSamples += count[k];
            if (k < 10) {
                counterBytes += bytes[k];
                counterSamples += count[k];
            }
        }
        System.out.printf("%-42s %8.3f%n", "counters", (double) counterBytes / counterSamples);
        System.out.printf("%-42s %8.3f%n", "gauges",
                (double) (allBytes - counterBytes) / (allSamples - counterSamples));
        String[] moves = {"every scrape", "1/2 of scrapes", "1/10 of scrapes", "1/50 of scrapes", "1/500 of scrapes"};
        for (int v = 0; v < 5; v++) {
            System.out.printf("%-42s %8.3f%n", "variant " + v + ": value moves in " + moves[v],
                    (double) variantBytes[v] / variantCount[v]);
        }
        System.out.printf("%-42s %8.3f  (%,d samples in %,d bytes, chunks of 120)%n", "all", (double) allBytes / allSamples,
                allSamples, allBytes);
    }
}
