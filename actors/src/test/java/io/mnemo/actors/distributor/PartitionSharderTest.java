package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import io.mnemo.actors.ingest.IngestRecordReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionSharderTest {
    private static final String[] ALPHABET = {"a", "b", "Z", "_", "0", "é", "€", "𝄞", "\"", " ", "xyz", "long-value-0123456789"};

    private static String randomText(Random random, int maxParts) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(maxParts);
        for (int i = 0; i < n; i++) sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        return sb.toString();
    }

    /** A random valid series: sorted unique names, some empty values. */
    private static Remote.TimeSeries.Builder randomSeries(Random random) {
        List<String> kv = new ArrayList<>(List.of("__name__", "metric_" + random.nextInt(50)));
        int labels = random.nextInt(8);
        Set<String> names = new java.util.TreeSet<>();
        while (names.size() < labels) names.add("l" + (char) ('a' + random.nextInt(26)) + random.nextInt(10));
        for (String name : names) {
            kv.add(name);
            kv.add(random.nextInt(6) == 0 ? "" : randomText(random, 5));
        }
        return series(kv.toArray(String[]::new)).addSamples(sample(random.nextLong(), random.nextDouble()));
    }

    /** The partition the splitter puts a one-series request into, found from the bytes. */
    private static int splitPartition(String tenant, Remote.TimeSeries series, int partitions) {
        byte[] request = Remote.WriteRequest.newBuilder().addTimeseries(series).build().toByteArray();
        PartitionSplitter.Split split = new PartitionSplitter(SeriesValidator.withDefaults())
                .split(tenant, new WriteRequestReader().reset(request), null, partitions);
        for (int p = 0; p < partitions; p++) if (split.record(p) != null) return p;
        throw new AssertionError("no record for " + series);
    }

    @Test
    void bytesAndLabelsGiveTheSamePartition() {
        Random random = new Random(7);
        for (int i = 0; i < 3_000; i++) {
            String tenant = i % 3 == 0 ? "tenant-" + i % 7 : randomText(random, 3);
            Remote.TimeSeries s = randomSeries(random).build();
            Labels labels = Fixtures.labelsOf(s);
            for (int partitions : new int[] {1, 3, 16, 1000}) {
                int p = splitPartition(tenant, s, partitions);
                assertEquals(PartitionSharder.partitionFor(tenant, labels, partitions), p, () -> tenant + " " + labels);
                assertTrue(p >= 0 && p < partitions);
            }
        }
    }

    /** Guards the storage contract: if this fails, every series would move to another partition. */
    @Test
    void goldenValues() {
        assertEquals(0xa81ab4bc6467e3e5L, PartitionSharder.hash("tenant-1", Labels.of("__name__", "up", "job", "node")));
        assertEquals(0x36de5a2175ca70deL, PartitionSharder.hash("anonymous",
                Labels.of("__name__", "http_requests_total", "instance", "10.0.0.1:9090", "path", "/ünï€𝄞")));
        assertEquals(0xa4bf960f05d91bedL, PartitionSharder.hash("", Labels.EMPTY));
        assertEquals(1, PartitionSharder.partitionFor("tenant-1", Labels.of("__name__", "up", "job", "node"), 4));
        assertEquals(3, PartitionSharder.partitionFor("tenant-1", Labels.of("__name__", "up", "job", "node"), 7));
    }

    @Test
    void tenantAndEveryLabelMatter() {
        Labels base = Labels.of("__name__", "up", "job", "node");
        long h = PartitionSharder.hash("t", base);
        assertNotEquals(h, PartitionSharder.hash("u", base));
        assertNotEquals(h, PartitionSharder.hash("t", Labels.of("__name__", "up", "job", "nodf")));
        assertNotEquals(h, PartitionSharder.hash("t", Labels.of("__name__", "up", "jo", "bnode")), "separators matter");
        assertNotEquals(h, PartitionSharder.hash("t", Labels.of("__name__", "up")));
        // Tenant and labels cannot bleed into each other.
        assertNotEquals(PartitionSharder.hash("ab", Labels.of("c", "d")), PartitionSharder.hash("a", Labels.of("bc", "d")));
    }

    @Test
    void orderOfSeriesInARequestDoesNotMatter() {
        Random random = new Random(11);
        List<Remote.TimeSeries> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) all.add(randomSeries(random).build());
        Map<Labels, Integer> expected = partitionsOf(all, "tenant-a");
        for (int round = 0; round < 3; round++) {
            Collections.shuffle(all, random);
            assertEquals(expected, partitionsOf(all, "tenant-a"));
        }
        assertNotEquals(expected, partitionsOf(all, "tenant-b"), "another tenant lays out differently");
    }

    /** Where the splitter puts each series of one request holding them all. */
    private static Map<Labels, Integer> partitionsOf(List<Remote.TimeSeries> series, String tenant) {
        byte[] request = Remote.WriteRequest.newBuilder().addAllTimeseries(series).build().toByteArray();
        PartitionSplitter.Split split = new PartitionSplitter(SeriesValidator.withDefaults())
                .split(tenant, new WriteRequestReader().reset(request), null, 16);
        Map<Labels, Integer> out = new HashMap<>();
        IngestRecordReader r = new IngestRecordReader();
        for (int p = 0; p < 16; p++) {
            if (split.record(p) == null) continue;
            r.reset(split.record(p));
            while (r.nextSeries()) out.put(r.labels(), p);
        }
        return out;
    }

    @Test
    void spreadsEvenlyOverFourPartitions() {
        Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
        for (int i = 0; i < 100_000; i++) {
            b.addTimeseries(series("__name__", "metric_" + i % 100, "instance", "host-" + i / 100 % 100,
                    "pod", "pod-" + i / 10_000));
        }
        WriteRequestReader r = new WriteRequestReader().reset(b.build().toByteArray());
        int[] counts = new int[4];
        Set<Labels> distinct = new HashSet<>();
        while (r.nextSeries()) {
            counts[PartitionSharder.partitionFor("tenant-1", r.labels(), 4)]++;
            if (distinct.size() < 1000) distinct.add(r.labels());
        }
        assertEquals(1000, distinct.size(), "synthetic series are distinct");
        for (int c : counts) assertTrue(Math.abs(c - 25_000) <= 1_250, "within 5% of even: " + java.util.Arrays.toString(counts));
    }

    @Test
    void partitionCountMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> PartitionSharder.partitionOf(1, 0));
        assertEquals(0, PartitionSharder.partitionOf(Long.MIN_VALUE, 4), "floorMod, never negative");
        assertEquals(3, PartitionSharder.partitionOf(-1, 4));
    }
}
