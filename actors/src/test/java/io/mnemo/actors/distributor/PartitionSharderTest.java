package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.SeriesHasher;
import java.nio.charset.StandardCharsets;
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

    @Test
    void bytesAndLabelsGiveTheSameHash() {
        Random random = new Random(7);
        PartitionSharder sharder = new PartitionSharder();
        for (int i = 0; i < 5_000; i++) {
            String tenant = i % 3 == 0 ? "tenant-" + i % 7 : randomText(random, 3);
            Remote.TimeSeries.Builder s = randomSeries(random);
            WriteRequestReader r = Fixtures.single(s);
            Labels labels = Fixtures.labelsOf(s.build());
            byte[] tenantUtf8 = tenant.getBytes(StandardCharsets.UTF_8);
            assertEquals(PartitionSharder.hash(tenant, labels), sharder.hash(tenantUtf8, r), () -> tenant + " " + labels);
            assertEquals(PartitionSharder.hash(tenant, labels), PartitionSharder.hash(tenant, r.labels()));
            for (int partitions : new int[] {1, 3, 4, 16, 1000}) {
                int p = sharder.partitionFor(tenantUtf8, r, partitions);
                assertEquals(PartitionSharder.partitionFor(tenant, labels, partitions), p);
                assertTrue(p >= 0 && p < partitions);
            }
        }
    }

    /** Guards the storage contract: if this fails, every series would move to another partition. */
    @Test
    void goldenValues() {
        assertEquals(0xcf9d2264625eb41bL, PartitionSharder.hash("tenant-1", Labels.of("__name__", "up", "job", "node")));
        assertEquals(0x5f018c8131fdf0c5L, PartitionSharder.hash("anonymous",
                Labels.of("__name__", "http_requests_total", "instance", "10.0.0.1:9090", "path", "/ünï€𝄞")));
        assertEquals(0x95634172a60b7544L, PartitionSharder.hash("", Labels.EMPTY));
        assertEquals(3, PartitionSharder.partitionFor("tenant-1", Labels.of("__name__", "up", "job", "node"), 4));
        assertEquals(6, PartitionSharder.partitionFor("tenant-1", Labels.of("__name__", "up", "job", "node"), 7));
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

    private static Map<Labels, Integer> partitionsOf(List<Remote.TimeSeries> series, String tenant) {
        byte[] request = Remote.WriteRequest.newBuilder().addAllTimeseries(series).build().toByteArray();
        WriteRequestReader r = new WriteRequestReader().reset(request);
        PartitionSharder sharder = new PartitionSharder();
        Map<Labels, Integer> out = new HashMap<>();
        while (r.nextSeries()) out.put(r.labels(), sharder.partitionFor(tenant.getBytes(StandardCharsets.UTF_8), r, 16));
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
        PartitionSharder sharder = new PartitionSharder();
        byte[] tenant = "tenant-1".getBytes(StandardCharsets.UTF_8);
        int[] counts = new int[4];
        Set<Labels> distinct = new HashSet<>();
        while (r.nextSeries()) {
            counts[sharder.partitionFor(tenant, r, 4)]++;
            if (distinct.size() < 1000) distinct.add(r.labels());
        }
        assertEquals(1000, distinct.size(), "synthetic series are distinct");
        for (int c : counts) assertTrue(Math.abs(c - 25_000) <= 1_250, "within 5% of even: " + java.util.Arrays.toString(counts));
    }

    @Test
    void hasherIsIndependentOfHowInputIsSplit() {
        Random random = new Random(3);
        for (int round = 0; round < 500; round++) {
            byte[] data = new byte[random.nextInt(100)];
            random.nextBytes(data);
            SeriesHasher whole = new SeriesHasher();
            whole.update(data, 0, data.length);
            SeriesHasher pieces = new SeriesHasher();
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, random.nextInt(11));
                if (n == 1 && random.nextBoolean()) pieces.update(data[at]);
                else pieces.update(data, at, n);
                at += n;
            }
            assertEquals(whole.digest(), pieces.digest(), "round " + round);
        }
        SeriesHasher a = new SeriesHasher();
        a.updateUtf8("x€𝄞\uD800y");
        SeriesHasher b = new SeriesHasher();
        byte[] utf8 = "x€𝄞\uD800y".getBytes(StandardCharsets.UTF_8);
        b.update(utf8, 0, utf8.length);
        assertEquals(b.digest(), a.digest(), "String path encodes like String.getBytes, lone surrogate included");
    }

    @Test
    void partitionCountMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> PartitionSharder.partitionOf(1, 0));
        assertEquals(0, PartitionSharder.partitionOf(Long.MIN_VALUE, 4), "floorMod, never negative");
        assertEquals(3, PartitionSharder.partitionOf(-1, 4));
    }
}
