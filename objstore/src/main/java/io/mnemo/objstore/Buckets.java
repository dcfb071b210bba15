package io.mnemo.objstore;

import java.io.IOException;

/** Opens the bucket a {@link BucketConfig} describes. */
public final class Buckets {
    private Buckets() {}

    public static Bucket open(BucketConfig config) throws IOException {
        return switch (config.backend()) {
            case FILESYSTEM -> new FilesystemBucket(config.filesystemDir());
            case S3 -> new S3Bucket(config.s3());
        };
    }
}
