package io.mnemo.bucketstore;

import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.ObjectAttributes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A bucket that records every read (whole gets and ranged gets with their ranges) and fails the
 * reads {@link #failReads} matches: what the bucket store's tests count and break.
 */
final class CountingBucket implements Bucket {
    /** One read: the object, and its range (length -1 for a whole get). */
    record Read(String name, long offset, long length) {
        boolean whole() { return length < 0 && offset == 0; }
    }

    final Bucket delegate;
    private final List<Read> reads = new ArrayList<>();
    volatile Predicate<String> failReads = name -> false;

    CountingBucket(Bucket delegate) {
        this.delegate = delegate;
    }

    synchronized List<Read> reads() { return List.copyOf(reads); }

    synchronized void clear() { reads.clear(); }

    /** Reads of objects whose name ends with the suffix ("/index", "/chunks/000001", ...). */
    synchronized List<Read> reads(String suffix) {
        return reads.stream().filter(r -> r.name().endsWith(suffix)).toList();
    }

    /** Reads of chunk segment objects. */
    synchronized List<Read> chunkReads() {
        return reads.stream().filter(r -> r.name().contains("/chunks/")).toList();
    }

    private void read(String name, long offset, long length) throws IOException {
        synchronized (this) {
            reads.add(new Read(name, offset, length));
        }
        if (failReads.test(name)) throw new IOException("injected failure reading " + name);
    }

    @Override
    public InputStream get(String name) throws IOException {
        read(name, 0, -1);
        return delegate.get(name);
    }

    @Override
    public InputStream getRange(String name, long offset, long length) throws IOException {
        read(name, offset, length);
        return delegate.getRange(name, offset, length);
    }

    @Override
    public void upload(String name, InputStream in, long length) throws IOException { delegate.upload(name, in, length); }

    @Override
    public void upload(String name, Path file) throws IOException { delegate.upload(name, file); }

    @Override
    public void delete(String name) throws IOException { delegate.delete(name); }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> f) throws IOException { delegate.iter(dir, recursive, f); }

    @Override
    public boolean exists(String name) throws IOException { return delegate.exists(name); }

    @Override
    public ObjectAttributes attributes(String name) throws IOException { return delegate.attributes(name); }

    @Override
    public String describe() { return "counting " + delegate.describe(); }

    @Override
    public void close() throws IOException { delegate.close(); }
}
