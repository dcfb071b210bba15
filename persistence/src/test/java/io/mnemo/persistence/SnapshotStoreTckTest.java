package io.mnemo.persistence;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.snapshot.JavaSnapshotStoreSpec;

/**
 * Pekko's snapshot store TCK against {@link io.mnemo.persistence.snapshot.LocalSnapshotStore}, with
 * every optional capability on. Runs on the JUnit Platform through the scalatest-junit-runner engine.
 */
public class SnapshotStoreTckTest extends JavaSnapshotStoreSpec {

    private final Path dir;

    public SnapshotStoreTckTest() {
        this(TckSetup.freshDirectory("mnemo-snapshot-tck"));
    }

    private SnapshotStoreTckTest(Path dir) {
        super(TckSetup.config(dir));
        this.dir = dir;
    }

    @Override
    public CapabilityFlag supportsSerialization() {
        return CapabilityFlag.on();
    }

    @Override
    public CapabilityFlag supportsMetadata() {
        return CapabilityFlag.on();
    }

    @Override
    public void afterAll() {
        try {
            super.afterAll(); // shuts the actor system down
        } finally {
            TckSetup.delete(dir);
        }
    }
}
