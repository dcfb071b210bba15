package io.mnemo.actors.distributor.otlp;

import io.mnemo.actors.distributor.RemoteWriteException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP push body as sent (uncompressed or gzip), made available uncompressed and bounded by
 * {@code mnemo.distributor.max-otlp-request-size} (Mimir's {@code max_otlp_request_size}): a gzip
 * body is inflated only up to the limit, so no body can make the distributor hold more. The buffer
 * is reused by the next call. Not thread-safe.
 */
public final class OtlpBody {
    private static final int RETAINED_CAPACITY = 8 << 20;
    private final long maxSize;
    private byte[] buffer = new byte[64 << 10];
    private byte[] view = buffer; // the body itself when it came uncompressed
    private int length;

    public OtlpBody(long maxSize) {
        if (maxSize <= 0) throw new IllegalArgumentException("maxSize must be positive");
        this.maxSize = Math.min(maxSize, Integer.MAX_VALUE - 8);
    }

    /**
     * @return the uncompressed length; the bytes are {@link #buffer()}{@code [0, length)} (for an
     *     uncompressed body, {@code body} itself)
     * @throws RemoteWriteException when the body is not gzip, or larger than the limit ({@link RemoteWriteException#isTooLarge()})
     */
    public int read(byte[] body, boolean gzip) {
        if (!gzip) {
            if (body.length > maxSize) throw tooLarge(body.length, false);
            view = body;
            return length = body.length;
        }
        if (buffer.length > RETAINED_CAPACITY) buffer = new byte[RETAINED_CAPACITY];
        length = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
            while (true) {
                if (length == buffer.length) {
                    if (buffer.length >= maxSize) {
                        if (in.read() < 0) break;
                        throw tooLarge(-1, true);
                    }
                    buffer = Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * 2, maxSize));
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) break;
                length += n;
            }
        } catch (IOException e) {
            throw new RemoteWriteException("decompress gzip: " + e.getMessage() + " (is the body gzip, as Content-Encoding: gzip says?)", e);
        }
        view = buffer;
        return length;
    }

    public byte[] buffer() { return view; }

    public int length() { return length; }

    private RemoteWriteException tooLarge(long size, boolean uncompressed) {
        return RemoteWriteException.tooLarge("the incoming OTLP request has been rejected because its message size"
                + (size >= 0 ? " of " + size + " bytes" : "") + (uncompressed ? " (uncompressed)" : "")
                + " is larger than the allowed limit of " + maxSize + " bytes (err-mnemo-distributor-max-otlp-request-size)."
                + " To adjust the related limit, configure mnemo.distributor.max-otlp-request-size");
    }
}
