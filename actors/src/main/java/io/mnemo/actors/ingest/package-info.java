/**
 * The ingest storage: the Kafka transport between distributors and ingesters, which both sides
 * depend on and neither reaches around. A distributor writes each push's records through a
 * {@link io.mnemo.actors.ingest.PartitionWriter} ({@link io.mnemo.actors.ingest.KafkaPartitionWriter}
 * in a node); an ingester reads its partition through a {@link io.mnemo.actors.ingest.PartitionReader}
 * (the {@link io.mnemo.actors.ingest.PartitionConsumer} in a node) and asks a
 * {@link io.mnemo.actors.ingest.PartitionOffsetReader} ({@link io.mnemo.actors.ingest.PartitionOffsets})
 * how far the partition goes; the
 * record format ({@link io.mnemo.actors.ingest.IngestRecordWriter}, {@link io.mnemo.actors.ingest.IngestRecordReader})
 * and its version ({@link io.mnemo.actors.ingest.RecordVersion}) are defined here, once. The
 * topic's replication as Kafka reports it is watched here too
 * ({@link io.mnemo.actors.ingest.TopicReplicationWatch}).
 *
 * <h2>The Kafka record</h2>
 *
 * A record of the ingest topic (and of the warm-up topic, which the same writer writes):
 * <pre>
 *   key      tenant id, UTF-8 (an ingester skips a record whose key is not a valid tenant id)
 *   header   "Version": int32 big-endian, the format version of the value; none: version 1
 *   value    an ingest record of that version
 *   partition   chosen by the distributor: a combination of the tenant's and the series'
 *               label hashes (metadata: of the tenant and the metric family)
 * </pre>
 * Records written before the header existed have none: they are version 1, the only version so
 * far. An ingester reads every version ever written; a record of any other version (or a header
 * that is not 4 bytes) is refused: never applied, its offset counted as consumed, counted in
 * {@code mnemo_ingester_invalid_records_total{reason="unknown-record-version"}} and logged once
 * per partition. A new version is written only once every ingester reads it (upgrade ingesters
 * first).
 *
 * <h2>Version 1: a remote write 2.0 request</h2>
 *
 * Prometheus remote write 2.0's {@code io.prometheus.write.v2.Request} in protobuf wire format
 * (the payload Mimir's record format 2 carries; the version numbers are Mnemo's own):
 * <pre>
 *   request    = ( symbols | timeseries | other field )*
 *   symbols    = field 4, length-delimited: a string, UTF-8; the n-th one is symbol ref n; ref 0 is ""
 *   timeseries = field 5, length-delimited: ( labels | sample | histogram | exemplar | metadata | created | other field )*
 *   labels     = field 1, packed varints (or one varint per field): name ref, value ref, name ref, ...
 *   sample     = field 2, length-delimited: field 1 fixed64 value (IEEE-754 bits, staleness NaN kept),
 *                field 2 varint timestamp (ms)
 *   histogram  = field 3, length-delimited: a native histogram, remote write's Histogram message
 *                ({@link io.mnemo.actors.ingest.HistogramMessage}), as the sender encoded it or, reduced
 *                to the tenant's bucket limit, as the distributor re-encoded it
 *   exemplar   = field 4, length-delimited: field 1 packed varints (or one per field) label refs, name, value,
 *                ...; field 2 fixed64 value (IEEE-754 bits); field 3 varint timestamp (ms)
 *   metadata   = field 5, length-delimited: field 1 varint type ({@link io.mnemo.actors.ingest.MetricTypes}),
 *                field 3 varint help ref, field 4 varint unit ref
 *   created    = field 6, varint: the series' created (start) timestamp in ms from a remote write 2.0
 *                push (ingesters skip it so far)
 * </pre>
 * What a distributor writes is narrower than what an ingester reads: each distinct string once in
 * the symbol table; each series' labels sorted by name, without empty values; metric metadata on a
 * sample-less series whose only label is {@code __name__} = the family; a series' exemplars that
 * passed validation, with their labels sorted by name. The reader takes any well-formed request
 * (fields in any order, unknown fields skipped) and refuses damage ({@link io.mnemo.actors.ingest.MalformedRecordException}) with the byte offset.
 *
 * <p>Exemplars came to version 1 without a new version: the grammar always allowed field 4 and
 * every reader skips fields it does not know, so an ingester built before exemplars applies a
 * record that carries them, samples and all, and only leaves its exemplars out. A new version
 * would have made that ingester refuse the whole record, samples included, during an upgrade.
 *
 * <h2>Where ingest records are kept</h2>
 *
 * Besides Kafka, an ingester keeps the records it consumed in its journal ({@code BatchConsumed}:
 * the values, with offsets and tenants) and the out-of-order samples it took in its write-behind
 * log ({@code OutOfOrderLogged}: an ingest record the ingester builds). Both hold version 1 only:
 * an ingester journals only records it reads, and a refused one as null. A future version that
 * ingesters read gets a journal event of its own, so that journals written before stay readable as
 * they are.
 */
package io.mnemo.actors.ingest;
