package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.chunkenc.HistogramAppender.Outcome;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chunks a real Prometheus 2.42 wrote (captured by PrometheusHistogramChunksIT from the block
 * its snapshot API wrote: a client_java native histogram scraped every second, and a recording
 * rule's sum of it): our iterators decode them, and our appenders write their samples again to
 * exactly Prometheus's bytes, in one go and continuing from a prefix.
 */
class PrometheusChunkBytesTest {

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = PrometheusChunkBytesTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    @Test
    void histogramChunkOfPrometheusReencodesToItsBytes() throws IOException {
        byte[] theirs = fixture("prometheus-2.42-histogram.chunk");
        HistogramChunk c = HistogramChunk.wrap(theirs);
        assertEquals(43, c.numSamples());
        assertEquals(CounterResetHeader.UNKNOWN, c.counterResetHeader());
        List<Long> ts = new ArrayList<>();
        List<Histogram> samples = new ArrayList<>();
        HistogramChunkIterator it = c.iterator();
        while (it.next()) {
            Histogram h = it.atHistogram(null);
            h.validate(); // count equals the buckets' total: decoded right
            assertTrue(ts.isEmpty() || it.timestamp() > ts.get(ts.size() - 1));
            ts.add(it.timestamp());
            samples.add(h);
        }
        assertEquals(43, samples.size());
        Histogram first = samples.get(0);
        assertEquals(Math.scalb(1.0, -128), first.zeroThreshold(), "client_java's default zero threshold");
        assertTrue(samples.get(42).count() > first.count());

        for (int split : new int[] {samples.size(), 1, 20}) {
            HistogramChunk again = new HistogramChunk();
            HistogramAppender app = again.appender();
            for (int i = 0; i < split; i++) assertEquals(Outcome.APPENDED, app.append(ts.get(i), samples.get(i)).outcome());
            HistogramAppender continued = HistogramChunk.wrap(again.toByteArray()).appender();
            for (int i = split; i < samples.size(); i++) continued = continued.append(ts.get(i), samples.get(i));
            assertArrayEquals(theirs, continued.chunk().toByteArray(), "written again, continued after " + split);
        }
    }

    @Test
    void floatHistogramChunkOfPrometheusReencodesToItsBytes() throws IOException {
        byte[] theirs = fixture("prometheus-2.42-float-histogram.chunk");
        FloatHistogramChunk c = FloatHistogramChunk.wrap(theirs);
        assertEquals(42, c.numSamples());
        List<Long> ts = new ArrayList<>();
        List<FloatHistogram> samples = new ArrayList<>();
        FloatHistogramChunkIterator it = c.iterator();
        while (it.next()) {
            FloatHistogram h = it.atFloatHistogram(null);
            h.validate();
            ts.add(it.timestamp());
            samples.add(h);
        }
        double buckets = 0;
        for (double b : samples.get(41).positiveCounts()) buckets += b;
        assertEquals(samples.get(41).count(), buckets + samples.get(41).zeroCount(), "a sum of observations decodes consistently");

        for (int split : new int[] {samples.size(), 1, 20}) {
            FloatHistogramChunk again = new FloatHistogramChunk();
            again.setCounterResetHeader(c.counterResetHeader());
            FloatHistogramAppender app = again.appender();
            for (int i = 0; i < split; i++) assertEquals(Outcome.APPENDED, app.append(ts.get(i), samples.get(i)).outcome());
            FloatHistogramAppender continued = FloatHistogramChunk.wrap(again.toByteArray()).appender();
            for (int i = split; i < samples.size(); i++) continued = continued.append(ts.get(i), samples.get(i));
            assertArrayEquals(theirs, continued.chunk().toByteArray(), "written again, continued after " + split);
        }
    }
}
