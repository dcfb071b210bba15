package io.mnemo.objstore;

import java.io.IOException;

/** The object a read, an attributes look-up or a delete named does not exist. */
public final class ObjectNotFoundException extends IOException {
    private final String name;

    public ObjectNotFoundException(Bucket bucket, String name) {
        super("object not found: " + name + " in " + bucket.describe());
        this.name = name;
    }

    /** The object's name in its bucket. */
    public String name() {
        return name;
    }
}
