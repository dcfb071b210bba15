package io.mnemo.actors.ingester;

import io.mnemo.actors.ingest.IngestRecordReader;
import io.mnemo.tsdb.head.Head;
import java.util.Arrays;

/**
 * Finds the series of an ingest record in a tenant's head. Each symbol of the record is resolved
 * to the head's symbol id the first time a series uses it (one lookup per distinct string per
 * record, not per label), and a series is then found by its ids, comparing a few packed bytes.
 * Only creating a series the head does not have yet costs Strings. Reused record after record; not
 * thread-safe.
 */
final class RecordSeriesLookup {
    private static final int UNRESOLVED = -2;

    private int[] headIds = new int[256]; // by record symbol ref: the head's id, -1 absent, or UNRESOLVED
    private int[] ids = new int[32];
    private IngestRecordReader reader;
    private Head head;

    /** Starts a record whose series go to {@code head}. */
    void reset(IngestRecordReader reader, Head head) {
        this.reader = reader;
        this.head = head;
        int n = reader.symbolCount();
        if (headIds.length < n) headIds = new int[Math.max(n, headIds.length * 2)];
        Arrays.fill(headIds, 0, n, UNRESOLVED);
    }

    /** The head ref of the reader's current series, or -1 when the head does not have it. */
    int find() {
        int n = reader.labelRefCount();
        if (ids.length < n) ids = new int[Math.max(n, ids.length * 2)];
        byte[] buf = reader.buffer();
        for (int i = 0; i < n; i++) {
            int ref = reader.labelRef(i);
            int id = headIds[ref];
            if (id == UNRESOLVED) {
                id = head.symbols().id(buf, reader.symbolOffset(ref), reader.symbolLength(ref));
                headIds[ref] = id;
            }
            if (id < 0) return -1; // a string the head does not hold: no series of its has it
            ids[i] = id;
        }
        return head.seriesRef(ids, n);
    }

    /** Creates the reader's current series (or finds it, if created since {@link #find}); returns its ref. */
    int create() {
        int series = head.getOrCreateSeries(reader.labels());
        // The series may have put new strings into the head's table: look them up again when next used.
        for (int i = 0; i < reader.labelRefCount(); i++) {
            if (headIds[reader.labelRef(i)] < 0) headIds[reader.labelRef(i)] = UNRESOLVED;
        }
        return series;
    }
}
