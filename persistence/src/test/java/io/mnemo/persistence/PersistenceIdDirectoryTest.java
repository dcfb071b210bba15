package io.mnemo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceIdDirectoryTest {

    @TempDir
    Path root;

    @Test
    void encodesReversiblyIntoSafeNames() {
        assertEquals("ingester%7Czone-a%7C3", PersistenceIdDirectory.name("ingester|zone-a|3"));
        for (String id : new String[] {"ingester|zone-a|3", "a/b\\c", ".", "..", ".hidden", "tenant-ü-€", "x.y", "%7C"}) {
            String name = PersistenceIdDirectory.name(id);
            assertTrue(name.matches("[A-Za-z0-9_%-][A-Za-z0-9._%-]*"), name);
            assertEquals(id, PersistenceIdDirectory.decode(name));
        }
        assertNotEquals(PersistenceIdDirectory.name("a|b"), PersistenceIdDirectory.name("a%7Cb"));
    }

    @Test
    void longIdsAreHashedAndTheirIdIsStoredAndChecked() throws IOException {
        String id = "ingester|" + "z".repeat(300);
        String name = PersistenceIdDirectory.name(id);
        assertTrue(name.length() <= 200, name);
        assertNull(PersistenceIdDirectory.decode(name));

        Path dir = PersistenceIdDirectory.create(root, id);
        assertEquals(id, Files.readString(dir.resolve(PersistenceIdDirectory.ID_FILE), StandardCharsets.UTF_8));
        PersistenceIdDirectory.verify(dir, id);
        assertThrows(IOException.class, () -> PersistenceIdDirectory.verify(dir, id + "-other"));
    }
}
