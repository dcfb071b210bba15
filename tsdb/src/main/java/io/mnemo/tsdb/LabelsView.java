package io.mnemo.tsdb;

/**
 * A label set read in place: names and values are UTF-8 byte ranges of one buffer, as a decoder
 * finds them in a remote-write request. Labels with an empty value stand for absent labels and are
 * skipped by whoever reads the view. Lets the head find an existing series without building a
 * {@link Labels} (and its strings) per series per request.
 */
public interface LabelsView {
    byte[] buffer();

    /** Labels in the view, empty-valued ones included. */
    int labelCount();

    int labelNameOffset(int i);

    int labelNameLength(int i);

    int labelValueOffset(int i);

    int labelValueLength(int i);

    /** The label set as {@link Labels}: sorted, without empty values (allocates). */
    Labels labels();
}
