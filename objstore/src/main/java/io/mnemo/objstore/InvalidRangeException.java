package io.mnemo.objstore;

import java.io.IOException;

/** A ranged read began at or past the end of its object (S3's 416 InvalidRange). */
public final class InvalidRangeException extends IOException {
    public InvalidRangeException(Bucket bucket, String name, long offset, long size) {
        super("range of " + name + " in " + bucket.describe() + " starts at byte " + offset + " but the object "
                + (size >= 0 ? "has " + size + " bytes" : "ends before it"));
    }
}
