package io.mnemo.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockSidecarTest {
    @TempDir
    Path dir;

    private static Map<String, String> ingesterOrigin() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("zone", "zone-a");
        m.put("partition", "3");
        m.put("nextOffset", "1200");
        m.put("rebuildOffset", "1100");
        return m;
    }

    @Test
    void roundTripsInTheGrammar() {
        BlockSidecar s = new BlockSidecar(ingesterOrigin(), false);
        assertEquals("version=1\nzone=zone-a\npartition=3\nnextOffset=1200\nrebuildOffset=1100\n",
                new String(s.encode(), StandardCharsets.UTF_8));
        assertEquals(s, BlockSidecar.decode(s.encode()));
        assertEquals(List.copyOf(ingesterOrigin().keySet()), List.copyOf(BlockSidecar.decode(s.encode()).origin().keySet()),
                "fields keep their order");

        BlockSidecar ooo = new BlockSidecar(Map.of("zone", "zöne ✓ b"), true);
        assertEquals("version=1\nzone=zöne ✓ b\noutOfOrder=true\n", new String(ooo.encode(), StandardCharsets.UTF_8));
        assertEquals(ooo, BlockSidecar.decode(ooo.encode()));
        assertEquals(new BlockSidecar(Map.of(), false), BlockSidecar.decode("version=1\n".getBytes(StandardCharsets.UTF_8)));
    }

    /** Exactly what ingesters wrote before the sidecar had a type and a version. */
    @Test
    void readsSidecarsWrittenBeforeItHadAVersion() throws IOException {
        Path block = Files.createDirectory(dir.resolve("01JBX8Y0000000000000000000"));
        Files.writeString(block.resolve("mnemo.properties"),
                "zone=zone-a\npartition=3\nnextOffset=1200\nrebuildOffset=1100\n");
        assertEquals(Optional.of(new BlockSidecar(ingesterOrigin(), false)), BlockSidecar.read(block));
        Files.writeString(block.resolve("mnemo.properties"),
                "zone=zone-a\npartition=3\nnextOffset=1200\nrebuildOffset=1100\noutOfOrder=true\n");
        assertEquals(Optional.of(new BlockSidecar(ingesterOrigin(), true)), BlockSidecar.read(block));
    }

    @Test
    void aBlockWithoutOneHasNone() throws IOException {
        assertEquals(Optional.empty(), BlockSidecar.read(Files.createDirectory(dir.resolve("block"))));
    }

    @Test
    void whatIsNotInTheGrammarIsRefused() throws IOException {
        for (String bad : new String[] {"version=2\nzone=a\n", "zone=a\nversion=1\n", "zone=a", "zone\n", "=a\n",
                "a b=c\n", "zone=a\r\n", "zone=a\nzone=b\n", "outOfOrder=yes\n", "version=01\n"}) {
            assertThrows(IllegalArgumentException.class, () -> BlockSidecar.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> BlockSidecar.decode(new byte[] {'a', '=', (byte) 0xff, '\n'}),
                "not UTF-8");
        Path block = Files.createDirectory(dir.resolve("block"));
        Files.writeString(block.resolve(BlockSidecar.FILE), "version=9\n");
        IOException e = assertThrows(IOException.class, () -> BlockSidecar.read(block));
        assertTrue(e.getMessage().contains(BlockSidecar.FILE) && e.getMessage().contains("version 9"), e.getMessage());

        for (String key : new String[] {"version", "outOfOrder", "", "a=b", "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> new BlockSidecar(Map.of(key, "x"), false), key);
        }
        assertThrows(IllegalArgumentException.class, () -> new BlockSidecar(Map.of("zone", "a\nb"), false));
    }
}
