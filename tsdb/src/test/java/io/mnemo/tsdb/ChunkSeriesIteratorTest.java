package io.mnemo.tsdb;

import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.chunkenc.XorAppender;
import io.mnemo.tsdb.chunkenc.XorChunk;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ChunkSeriesIteratorTest {

    /** Random chunked series, random ranges, random next/seek sequences vs. a filtered array. */
    @Test
    void behavesLikeAFilteredListUnderRandomNextAndSeek() {
        Random r = new Random(11);
        for (int round = 0; round < 500; round++) {
            int n = r.nextInt(400);
            long[] ts = new long[n];
            long t = r.nextInt(100);
            for (int i = 0; i < n; i++) {
                t += 1 + r.nextInt(r.nextBoolean() ? 3 : 50);
                ts[i] = t;
            }
            List<ChunkMeta> chunks = new ArrayList<>();
            int i = 0;
            while (i < n) {
                int size = 1 + r.nextInt(130);
                XorChunk c = new XorChunk();
                XorAppender app = c.appender();
                int start = i;
                for (; i < n && i - start < size; i++) app.append(ts[i], ts[i] * 0.5);
                chunks.add(new ChunkMeta(c, ts[start], ts[i - 1]));
            }
            long mint = r.nextInt((int) t + 50) - 20;
            long maxt = mint + r.nextInt((int) t + 50);
            long[] expected = java.util.Arrays.stream(ts).filter(x -> x >= mint && x <= maxt).toArray();

            SampleIterator it = new ChunkSeriesIterator(chunks.toArray(new ChunkMeta[0]), mint, maxt);
            int pos = -1; // index in expected of the current sample
            boolean done = false;
            for (int step = 0; step < 60 && !done; step++) {
                boolean ok;
                int want;
                if (r.nextBoolean()) {
                    ok = it.next();
                    want = pos + 1;
                } else {
                    long target = (pos >= 0 && pos < expected.length ? expected[pos] : mint) + r.nextInt(80) - 20;
                    ok = it.seek(target);
                    want = Math.max(pos, 0);
                    while (want < expected.length && expected[want] < target) want++;
                }
                boolean exists = want < expected.length;
                assertEquals(exists, ok, "round " + round + " step " + step);
                if (!exists) {
                    done = true;
                } else {
                    pos = want;
                    assertEquals(expected[pos], it.timestamp());
                    assertEquals(expected[pos] * 0.5, it.value());
                }
            }
            if (done) {
                assertFalse(it.next());
                assertFalse(it.seek(Long.MIN_VALUE));
            }
        }
    }
}
