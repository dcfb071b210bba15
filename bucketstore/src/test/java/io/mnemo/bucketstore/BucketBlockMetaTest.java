package io.mnemo.bucketstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.db.BlockSidecar;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** meta.json in the bucket: Prometheus's meta, Thanos's section, Mnemo's section. */
class BucketBlockMetaTest {
    static final Ulid ULID = Ulid.parse("01JBQ0V7QW2Q0Z4T0CD6R8K9XA");
    static final BlockMeta BLOCK = BlockMeta.level1(ULID, 1000, 8000, 500, 20, 40);
    static final List<BucketBlockMeta.BlockFile> FILES = List.of(new BucketBlockMeta.BlockFile("meta.json", -1),
            new BucketBlockMeta.BlockFile("index", 900), new BucketBlockMeta.BlockFile("chunks/000001", 12345));

    @Test
    void theJsonHasEachSectionWithItsFields() throws Exception {
        BucketBlockMeta meta = BucketBlockMeta.ofIngesterBlock(BLOCK, FILES,
                new BlockSidecar(new BlockOrigin("zone-a", 3, 1500, 1200).fields(), true));
        JsonNode json = new ObjectMapper().readTree(meta.encode());

        assertEquals(ULID.toString(), json.path("ulid").asText());
        assertEquals(1000, json.path("minTime").asLong());
        assertEquals(8000, json.path("maxTime").asLong());
        assertEquals(1, json.path("version").asInt());
        assertEquals(500, json.path("stats").path("numSamples").asLong());
        assertEquals(1, json.path("compaction").path("level").asInt());

        JsonNode thanos = json.path("thanos");
        assertEquals(1, thanos.path("version").asInt());
        assertEquals(0, thanos.path("labels").size());
        assertEquals(0, thanos.path("downsample").path("resolution").asLong());
        assertEquals("receive", thanos.path("source").asText());
        assertEquals("[{\"rel_path\":\"chunks/000001\",\"size_bytes\":12345},{\"rel_path\":\"index\",\"size_bytes\":900},"
                + "{\"rel_path\":\"meta.json\"}]", thanos.path("files").toString(), "sorted, meta.json without a size");

        JsonNode mnemo = json.path("mnemo");
        assertEquals("{\"version\":1,\"zone\":\"zone-a\",\"partition\":3,\"nextOffset\":1500,\"rebuildOffset\":1200,"
                + "\"outOfOrder\":true}", mnemo.toString());

        BucketBlockMeta back = BucketBlockMeta.decode(meta.encode());
        assertEquals(meta, back);
        assertEquals(new BlockSidecar(new BlockOrigin("zone-a", 3, 1500, 1200).fields(), true), back.sidecar());
    }

    @Test
    void aPrometheusMetaWithoutSectionsHasNoOrigin() {
        BucketBlockMeta meta = BucketBlockMeta.decode(BLOCK.toJson().getBytes(StandardCharsets.UTF_8));
        assertEquals(BLOCK, meta.block());
        assertNull(meta.origin());
        assertEquals(List.of(), meta.files());
        assertEquals(Map.of(), meta.labels());
    }

    @Test
    void newerSectionVersionsAndWrongTypesAreRefused() throws Exception {
        byte[] base = BucketBlockMeta.ofIngesterBlock(BLOCK, FILES,
                new BlockSidecar(new BlockOrigin("zone-a", 3, 1500, 1200).fields(), false)).encode();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BucketBlockMeta.decode(edit(base, root -> ((ObjectNode) root.path("mnemo")).put("version", 3))));
        assertTrue(e.getMessage().contains("mnemo section version 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BucketBlockMeta.decode(edit(base, root -> ((ObjectNode) root.path("mnemo")).put("rebuildOffset", "1200"))));
        assertTrue(e.getMessage().contains("rebuildOffset"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BucketBlockMeta.decode(edit(base, root -> ((ObjectNode) root.path("thanos")).put("version", 2))));
        assertTrue(e.getMessage().contains("thanos section version 2"), e.getMessage());
        assertEquals(BucketBlockMeta.decode(base),
                BucketBlockMeta.decode(edit(base, root -> ((ObjectNode) root.path("mnemo")).put("futureField", true))),
                "fields this version does not know are ignored");
    }

    @Test
    void aCompactedBlockCarriesItsSourcesPerIngesterInVersion2() throws Exception {
        Ulid a1 = Ulid.parse("01JBQ0V7QW2Q0Z4T0CD6R8K9XB");
        Ulid a2 = Ulid.parse("01JBQ0V7QW2Q0Z4T0CD6R8K9XC");
        Ulid b1 = Ulid.parse("01JBQ0V7QW2Q0Z4T0CD6R8K9XD");
        BucketBlockMeta zoneA1 = BucketBlockMeta.ofIngesterBlock(BlockMeta.level1(a1, 0, 2000, 1, 1, 1), FILES,
                new BlockSidecar(new BlockOrigin("zone-a", 3, 1000, 900).fields(), false));
        BucketBlockMeta zoneA2 = BucketBlockMeta.ofIngesterBlock(BlockMeta.level1(a2, 2000, 4000, 1, 1, 1), FILES,
                new BlockSidecar(new BlockOrigin("zone-a", 3, 1500, 1200).fields(), false));
        BucketBlockMeta zoneAOutOfOrder = BucketBlockMeta.ofIngesterBlock(BlockMeta.level1(b1, 0, 1000, 1, 1, 1), FILES,
                new BlockSidecar(new BlockOrigin("zone-a", 3, 1400, 1100).fields(), true));
        BucketBlockMeta zoneB = BucketBlockMeta.ofIngesterBlock(BlockMeta.level1(b1, 0, 4000, 1, 1, 1), FILES,
                new BlockSidecar(new BlockOrigin("zone-b", 3, 1490, 1190).fields(), false));
        List<SourceOrigin> first = SourceOrigin.merge(List.of(zoneA1, zoneAOutOfOrder));
        BucketBlockMeta level2 = BucketBlockMeta.ofCompactedBlock(BlockMeta.level1(ULID, 0, 2000, 1, 1, 1), FILES, first);
        List<SourceOrigin> merged = SourceOrigin.merge(List.of(level2, zoneA2, zoneB));
        assertEquals(List.of(new SourceOrigin(new BlockOrigin("zone-a", 3, 1500, 1200), a2, 4000),
                new SourceOrigin(new BlockOrigin("zone-b", 3, 1490, 1190), b1, 4000)), merged,
                "per ingester: the newest cut's offsets (greatest nextOffset), the greatest end");

        BucketBlockMeta compacted = BucketBlockMeta.ofCompactedBlock(BLOCK, FILES, merged);
        JsonNode mnemo = new ObjectMapper().readTree(compacted.encode()).path("mnemo");
        assertEquals(2, mnemo.path("version").asInt());
        assertEquals("{\"zone\":\"zone-a\",\"partition\":3,\"nextOffset\":1500,\"rebuildOffset\":1200,\"block\":\"" + a2
                + "\",\"maxTime\":4000}", mnemo.path("sources").get(0).toString());
        assertEquals(compacted, BucketBlockMeta.decode(compacted.encode()));
        assertEquals(1, new ObjectMapper().readTree(BucketBlockMeta.ofCompactedBlock(BLOCK, FILES).encode()).path("mnemo")
                .path("version").asInt(), "without sources, still version 1: older readers read it");
    }

    private static byte[] edit(byte[] json, java.util.function.Consumer<ObjectNode> change) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(json);
        change.accept(root);
        return m.writeValueAsBytes(root);
    }
}
