package io.mnemo.objstore;

import java.nio.file.Path;

/**
 * Which bucket to open, with Mimir's settings ({@code -blocks-storage.backend} and the backend's
 * section). Plain values: whoever reads the configuration file builds one; {@link Buckets#open}
 * opens it.
 *
 * @param backend       where objects live
 * @param filesystemDir the root of a {@link Backend#FILESYSTEM} bucket
 * @param s3            the settings of an {@link Backend#S3} bucket (unused by the filesystem backend)
 */
public record BucketConfig(Backend backend, Path filesystemDir, S3Config s3) {

    /** Mimir's {@code backend} values that Mnemo supports. */
    public enum Backend {
        FILESYSTEM("filesystem"),
        S3("s3");

        public final String configValue;

        Backend(String configValue) {
            this.configValue = configValue;
        }

        /** @throws IllegalArgumentException "backend: ..." for an unknown value */
        public static Backend parse(String value) {
            for (Backend b : values()) if (b.configValue.equals(value)) return b;
            throw new IllegalArgumentException("backend: unknown value \"" + value + "\", expected filesystem or s3");
        }
    }

    /**
     * @throws IllegalArgumentException whose message starts with the setting's key under
     *         blocks-storage, e.g. "filesystem.dir is empty"
     */
    public BucketConfig {
        if (backend == null) throw new IllegalArgumentException("backend is not set");
        if (s3 == null) s3 = new S3Config("", "", "", "", "", false, S3Config.BucketLookupType.AUTO);
        switch (backend) {
            case FILESYSTEM -> {
                if (filesystemDir == null || filesystemDir.toString().isEmpty()) {
                    throw new IllegalArgumentException("filesystem.dir is empty");
                }
            }
            case S3 -> s3.validate();
        }
    }

    public static BucketConfig filesystem(Path dir) {
        return new BucketConfig(Backend.FILESYSTEM, dir, null);
    }

    public static BucketConfig s3(S3Config s3) {
        return new BucketConfig(Backend.S3, null, s3);
    }
}
