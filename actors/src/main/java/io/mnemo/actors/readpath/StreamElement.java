package io.mnemo.actors.readpath;

import io.mnemo.persistence.MnemoSerializable;

/**
 * What a read stream carries, in order: frames of the answer, then exactly one {@link End}, or a
 * {@link Failure} instead when the store could not finish. A stream that ends without either (its
 * node died, the connection broke) is incomplete: the querier never answers from it.
 */
public sealed interface StreamElement extends MnemoSerializable {

    /** One bounded part of the answer: a series-set payload (see {@code SeriesSetCodec}) or a strings payload ({@link StringFrames}). */
    record Frame(byte[] payload) implements StreamElement {}

    /** The answer is complete: {@code items} series or strings were sent. */
    record End(long items) implements StreamElement {}

    /** The store could not finish the answer; nothing sent before counts. */
    record Failure(ReadError error) implements StreamElement {}
}
