package io.mnemo.tsdb.block;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockMetaTest {
    private static final Ulid ID = Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");

    @Test
    void writesWhatPrometheusWrites() {
        BlockMeta m = BlockMeta.level1(ID, 1000, 7201000, 12, 3, 4);
        assertEquals("""
                {
                \t"ulid": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
                \t"minTime": 1000,
                \t"maxTime": 7201000,
                \t"stats": {
                \t\t"numSamples": 12,
                \t\t"numFloatSamples": 12,
                \t\t"numSeries": 3,
                \t\t"numChunks": 4
                \t},
                \t"compaction": {
                \t\t"level": 1,
                \t\t"sources": [
                \t\t\t"01ARZ3NDEKTSV4RRFFQ69G5FAV"
                \t\t]
                \t},
                \t"version": 1
                }""", m.toJson());
        assertEquals(m, BlockMeta.parse(m.toJson()));
    }

    @Test
    void countsSamplesByKindAsPrometheus3AndLeavesZeroCountsOut() {
        BlockMeta m = BlockMeta.level1(ID, 1000, 7201000, 0, 30, 3, 4);
        assertEquals(30, m.numSamples());
        String json = m.toJson();
        assertTrue(json.contains("\t\t\"numSamples\": 30,\n\t\t\"numHistogramSamples\": 30,\n\t\t\"numSeries\": 3,"), json);
        assertFalse(json.contains("numFloatSamples"), "a zero count is omitted, as Go's omitempty does: " + json);
        assertEquals(m, BlockMeta.parse(json));
        BlockMeta mixed = BlockMeta.parse(BlockMeta.level1(ID, 1000, 7201000, 7, 5, 3, 4).toJson());
        assertEquals(12, mixed.numSamples());
        assertEquals(7, mixed.numFloatSamples());
        assertEquals(5, mixed.numHistogramSamples());
        // A meta.json written before the split (or by Prometheus 2.42) has neither count.
        BlockMeta old = BlockMeta.parse("{\"ulid\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"minTime\":1,\"maxTime\":2,"
                + "\"stats\":{\"numSamples\":9},\"compaction\":{\"level\":1},\"version\":1}");
        assertEquals(9, old.numSamples());
        assertEquals(0, old.numFloatSamples());
        assertEquals(0, old.numHistogramSamples());
        assertFalse(old.toJson().contains("numFloatSamples"), "read and written again unchanged");
    }

    @Test
    void readsACompactedPrometheusMeta() {
        String json = """
                {"ulid":"01BKGTZQ1SYQJTR4PB43C8PD98","minTime":1602237600000,"maxTime":1602244800000,
                 "stats":{"numSamples":553,"numSeries":2,"numChunks":6,"numTombstones":0},
                 "compaction":{"level":2,"sources":["01BKGV7JBM69T2G1BGBGM6KB12","01BKGTZQ1SYQJTR4PB43C8PD98"],
                   "parents":[{"ulid":"01BKGV7JBM69T2G1BGBGM6KB12","minTime":1,"maxTime":2}],"hints":["x"]},
                 "version":1}""";
        BlockMeta m = BlockMeta.parse(json);
        assertEquals(Ulid.parse("01BKGTZQ1SYQJTR4PB43C8PD98"), m.ulid());
        assertEquals(1602244800000L, m.maxTime());
        assertEquals(553, m.numSamples());
        assertEquals(2, m.compactionLevel());
        assertEquals(List.of(Ulid.parse("01BKGV7JBM69T2G1BGBGM6KB12"), Ulid.parse("01BKGTZQ1SYQJTR4PB43C8PD98")), m.sources());
        assertEquals(List.of(new BlockMeta.Parent(Ulid.parse("01BKGV7JBM69T2G1BGBGM6KB12"), 1, 2)), m.parents());
    }

    @Test
    void writesParentsOfACompactedBlockAsPrometheusDoes() {
        Ulid a = Ulid.parse("01BKGV7JBM69T2G1BGBGM6KB12");
        Ulid b = Ulid.parse("01BKGTZQ1SYQJTR4PB43C8PD98");
        BlockMeta m = new BlockMeta(ID, 0, 20, 5, 1, 2, 2, List.of(b, a),
                List.of(new BlockMeta.Parent(a, 0, 10), new BlockMeta.Parent(b, 10, 20)));
        assertEquals("""
                {
                	"ulid": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
                	"minTime": 0,
                	"maxTime": 20,
                	"stats": {
                		"numSamples": 5,
                		"numFloatSamples": 5,
                		"numSeries": 1,
                		"numChunks": 2
                	},
                	"compaction": {
                		"level": 2,
                		"sources": [
                			"01BKGTZQ1SYQJTR4PB43C8PD98",
                			"01BKGV7JBM69T2G1BGBGM6KB12"
                		],
                		"parents": [
                			{
                				"ulid": "01BKGV7JBM69T2G1BGBGM6KB12",
                				"minTime": 0,
                				"maxTime": 10
                			},
                			{
                				"ulid": "01BKGTZQ1SYQJTR4PB43C8PD98",
                				"minTime": 10,
                				"maxTime": 20
                			}
                		]
                	},
                	"version": 1
                }""", m.toJson());
        assertEquals(m, BlockMeta.parse(m.toJson()));
    }

    @Test
    void rejectsOtherVersionsAndBrokenJson() {
        assertThrows(IllegalArgumentException.class,
                () -> BlockMeta.parse("{\"ulid\":\"01BKGTZQ1SYQJTR4PB43C8PD98\",\"minTime\":0,\"maxTime\":1,\"version\":2}"));
        assertThrows(IllegalArgumentException.class, () -> BlockMeta.parse("{\"ulid\":\"01BKGTZQ1SYQJTR4PB43C8PD98\","));
        assertThrows(IllegalArgumentException.class, () -> BlockMeta.parse("{\"minTime\":0,\"maxTime\":1,\"version\":1}"));
    }

    @Test
    void overlapTreatsMaxTimeAsExclusive() {
        BlockMeta m = BlockMeta.level1(ID, 1000, 2000, 1, 1, 1);
        assertTrue(m.overlaps(1999, 5000));
        assertFalse(m.overlaps(2000, 5000));
        assertTrue(m.overlaps(0, 1000));
        assertFalse(m.overlaps(0, 999));
    }
}
