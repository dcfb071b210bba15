package io.mnemo.persistence;

import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;

/**
 * Pekko's journal TCK against {@link io.mnemo.persistence.journal.SegmentJournal}, with every
 * optional capability on. A ScalaTest suite: the scalatest-junit-runner engine runs it on the JUnit
 * Platform, each TCK case reported as its own test.
 */
public class JournalTckTest extends JavaJournalSpec {

    private final Path dir;

    public JournalTckTest() {
        this(TckSetup.freshDirectory("mnemo-journal-tck"));
    }

    private JournalTckTest(Path dir) {
        super(TckSetup.config(dir));
        this.dir = dir;
    }

    @Override
    public CapabilityFlag supportsRejectingNonSerializableObjects() {
        return CapabilityFlag.on();
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
            super.afterAll(); // shuts the actor system down, closing the journal
        } finally {
            TckSetup.delete(dir);
        }
    }
}
