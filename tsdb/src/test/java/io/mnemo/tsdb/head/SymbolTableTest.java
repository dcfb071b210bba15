package io.mnemo.tsdb.head;

import io.mnemo.tsdb.Labels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SymbolTableTest {

    @Test
    void symbolsLiveAsLongAsTheyAreUsed() {
        SymbolTable t = new SymbolTable();
        int job = t.acquire("job");
        assertEquals(job, t.acquire(new String("job")), "equal strings, one symbol");
        int api = t.acquire("api");
        assertEquals(2, t.size());
        assertEquals("api", t.symbol(api));
        assertEquals(api, t.id("api"));

        t.release(job);
        assertEquals(job, t.id("job"), "one use left");
        t.release(job);
        assertEquals(-1, t.id("job"), "gone with its last use");
        assertEquals(1, t.size());
        assertEquals(List.of("api"), t.symbols());

        int db = t.acquire("db");
        assertEquals(job, db, "the freed id is reused");
        assertEquals("db", t.symbol(db));
    }

    @Test
    void internReturnsOneInstanceAndSweepDropsUnusedOnes() {
        SymbolTable t = new SymbolTable();
        String a = new String("prod");
        assertSame(a, t.intern(a));
        assertSame(a, t.intern(new String("prod")));
        Labels l = t.intern(Labels.of("env", new String("prod")));
        assertSame(a, l.value(0));
        int used = t.acquire("used");
        t.sweep();
        assertEquals(-1, t.id("prod"), "interned only: swept");
        assertEquals(-1, t.id("env"));
        assertEquals(used, t.id("used"));
        assertEquals(1, t.size());
    }

    @Test
    void manySymbolsAreFoundAfterChurn() {
        SymbolTable t = new SymbolTable();
        int[] ids = new int[50_000];
        for (int i = 0; i < ids.length; i++) ids[i] = t.acquire("v" + i);
        for (int i = 0; i < ids.length; i += 2) t.release(ids[i]);
        for (int i = 0; i < ids.length; i++) assertEquals(i % 2 == 0 ? -1 : ids[i], t.id("v" + i));
        for (int i = 0; i < 25_000; i++) t.acquire("w" + i);
        assertEquals(50_000, t.size());
        for (int i = 1; i < ids.length; i += 2) assertEquals("v" + i, t.symbol(ids[i]));
        for (int i = 0; i < 25_000; i++) assertEquals("w" + i, t.symbol(t.id("w" + i)));
    }
}
