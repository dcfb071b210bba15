package io.mnemo.actors.distributor;

import static io.mnemo.actors.distributor.Fixtures.request;
import static io.mnemo.actors.distributor.Fixtures.sample;
import static io.mnemo.actors.distributor.Fixtures.series;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.prompb.Remote;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyFramedOutputStream;

class RemoteWriteBodyTest {

    private static Remote.WriteRequest requestWith(int series, int samples) {
        Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
        for (int s = 0; s < series; s++) {
            Remote.TimeSeries.Builder ts = series("__name__", "metric_" + s, "instance", "host-" + s);
            for (int i = 0; i < samples; i++) ts.addSamples(sample(1_000L * i, s + i));
            b.addTimeseries(ts);
        }
        return b.build();
    }

    @Test
    void decompressesSnappyBlockBodies() throws Exception {
        Remote.WriteRequest req = requestWith(50, 10);
        byte[] raw = req.toByteArray();
        byte[] body = Snappy.compress(raw);
        RemoteWriteBody decoder = new RemoteWriteBody(100 << 20);
        int n = decoder.decompress(body);
        assertEquals(raw.length, n);
        assertEquals(n, decoder.length());
        assertArrayEquals(raw, Arrays.copyOf(decoder.buffer(), n));

        WriteRequestReader r = new WriteRequestReader().reset(decoder.buffer(), 0, decoder.length());
        int series = 0;
        while (r.nextSeries()) {
            assertEquals("metric_" + series, r.labelValue(0));
            assertEquals(10, r.sampleCount());
            series++;
        }
        assertEquals(50, series);
    }

    @Test
    void bufferIsReusedAndGrows() throws Exception {
        RemoteWriteBody decoder = new RemoteWriteBody(100 << 20);
        byte[] small = request(series("__name__", "a").addSamples(sample(1, 2))).toByteArray();
        byte[] big = requestWith(2000, 20).toByteArray(); // well above the 64 KiB starting buffer
        assertTrue(big.length > 64 << 10);
        for (byte[] raw : new byte[][] {small, big, small, big}) {
            byte[] body = Snappy.compress(raw);
            // Offsets into a larger array are honoured.
            byte[] framed = new byte[body.length + 10];
            System.arraycopy(body, 0, framed, 5, body.length);
            assertEquals(raw.length, decoder.decompress(framed, 5, body.length));
            assertArrayEquals(raw, Arrays.copyOf(decoder.buffer(), decoder.length()));
        }
        byte[] buffer = decoder.buffer();
        decoder.decompress(Snappy.compress(small));
        assertTrue(buffer == decoder.buffer(), "a buffer under the retained size is kept");
    }

    @Test
    void emptyBodyIsRejected() {
        RemoteWriteException e = assertThrows(RemoteWriteException.class, () -> new RemoteWriteBody(1 << 20).decompress(new byte[0]));
        assertEquals("decompress snappy: empty body", e.getMessage());
    }

    @Test
    void garbageIsRejected() {
        RemoteWriteBody decoder = new RemoteWriteBody(1 << 20);
        byte[] notSnappy = "this is not snappy at all, just some plain text".getBytes();
        RemoteWriteException e = assertThrows(RemoteWriteException.class, () -> decoder.decompress(notSnappy));
        assertTrue(e.getMessage().startsWith("decompress snappy: "), e.getMessage());
        assertFalse(e.isTooLarge());
        assertEquals(0, decoder.length());
    }

    @Test
    void uncompressedProtobufIsRejected() {
        // A sender that forgot to compress: the first varint of the protobuf reads as a length.
        byte[] raw = requestWith(5, 5).toByteArray();
        RemoteWriteException e = assertThrows(RemoteWriteException.class, () -> new RemoteWriteBody(1 << 20).decompress(raw));
        assertTrue(e.getMessage().startsWith("decompress snappy: "), e.getMessage());
    }

    @Test
    void truncatedBodyIsRejected() throws Exception {
        byte[] body = Snappy.compress(requestWith(100, 10).toByteArray());
        RemoteWriteBody decoder = new RemoteWriteBody(100 << 20);
        for (int cut : new int[] {1, 2, body.length / 2, body.length - 1}) {
            RemoteWriteException e = assertThrows(RemoteWriteException.class,
                    () -> decoder.decompress(Arrays.copyOf(body, cut)), "cut at " + cut);
            assertTrue(e.getMessage().startsWith("decompress snappy: corrupt input"), e.getMessage());
        }
    }

    @Test
    void framedFormatIsRejected() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SnappyFramedOutputStream framed = new SnappyFramedOutputStream(out)) {
            framed.write(requestWith(10, 10).toByteArray());
        }
        RemoteWriteException e = assertThrows(RemoteWriteException.class,
                () -> new RemoteWriteBody(100 << 20).decompress(out.toByteArray()));
        assertTrue(e.getMessage().startsWith("decompress snappy: "), e.getMessage());
    }

    @Test
    void decompressedSizeIsLimitedBeforeDecoding() throws Exception {
        byte[] raw = requestWith(100, 10).toByteArray();
        byte[] body = Snappy.compress(raw);
        RemoteWriteException e = assertThrows(RemoteWriteException.class,
                () -> new RemoteWriteBody(raw.length - 1).decompress(body));
        assertTrue(e.isTooLarge());
        assertTrue(e.getMessage().contains("decompresses to " + raw.length + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("limit of " + (raw.length - 1) + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("mnemo.distributor.max-decompressed-size"), e.getMessage());
        assertEquals(raw.length, new RemoteWriteBody(raw.length).decompress(body));

        // A header claiming 4 GiB is refused from the header alone, without allocating.
        byte[] lying = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 0x00};
        RemoteWriteException huge = assertThrows(RemoteWriteException.class, () -> new RemoteWriteBody(100 << 20).decompress(lying));
        assertTrue(huge.isTooLarge(), huge.getMessage());
    }
}
