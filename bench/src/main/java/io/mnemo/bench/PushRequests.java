package io.mnemo.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.IntStream;

import io.mnemo.actors.prompb.Remote;
import org.xerial.snappy.Snappy;

/**
 * Every push body of a run, encoded up front so that the measured replay only sends bytes.
 *
 * <p>Round {@code r} holds sample {@code r} of every series, split into requests of at most
 * {@code samplesPerRequest} series (one sample each, as Prometheus sends fresh scrapes). Sending
 * the rounds one after the other therefore delivers each series' samples in time order. Bodies
 * are remote write 1.0: a protobuf {@code WriteRequest} compressed with snappy's block format.
 */
final class PushRequests {

    private final byte[][][] bodies;
    private final int[][] samples;
    private final int[] firstRequest;
    private final int totalRequests;
    private final long totalSamples;
    private final long totalBytes;

    private PushRequests(byte[][][] bodies, int[][] samples) {
        this.bodies = bodies;
        this.samples = samples;
        this.firstRequest = new int[bodies.length];
        int requests = 0;
        long sampleCount = 0;
        long bytes = 0;
        for (int r = 0; r < bodies.length; r++) {
            firstRequest[r] = requests;
            requests += bodies[r].length;
            for (int i = 0; i < bodies[r].length; i++) {
                sampleCount += samples[r][i];
                bytes += bodies[r][i].length;
            }
        }
        this.totalRequests = requests;
        this.totalSamples = sampleCount;
        this.totalBytes = bytes;
    }

    /**
     * Encodes {@code samplesPerSeries} rounds for {@code seriesCount} series; sample {@code r} is
     * stamped {@code endMillis - (samplesPerSeries - 1 - r) * intervalMillis}.
     */
    static PushRequests encode(int seriesCount, int samplesPerSeries, int samplesPerRequest, long endMillis,
                               long intervalMillis) {
        Remote.TimeSeries[] prototypes = new Remote.TimeSeries[seriesCount];
        for (int s = 0; s < seriesCount; s++) {
            prototypes[s] = Remote.TimeSeries.newBuilder().addAllLabels(SyntheticSeries.labels(s)).build();
        }
        int requestsPerRound = (seriesCount + samplesPerRequest - 1) / samplesPerRequest;
        byte[][][] bodies = new byte[samplesPerSeries][requestsPerRound][];
        int[][] samples = new int[samplesPerSeries][requestsPerRound];
        double intervalSeconds = intervalMillis / 1000.0;
        // Rounds are independent, so they are encoded in parallel; the clock has not started yet.
        IntStream.range(0, samplesPerSeries).parallel().forEach(round -> {
            long timestamp = endMillis - (long) (samplesPerSeries - 1 - round) * intervalMillis;
            for (int i = 0; i < requestsPerRound; i++) {
                int from = i * samplesPerRequest;
                int to = Math.min(seriesCount, from + samplesPerRequest);
                Remote.WriteRequest.Builder request = Remote.WriteRequest.newBuilder();
                for (int s = from; s < to; s++) {
                    request.addTimeseries(prototypes[s].toBuilder().addSamples(Remote.Sample.newBuilder()
                            .setTimestamp(timestamp)
                            .setValue(SyntheticSeries.value(s, round, intervalSeconds))));
                }
                bodies[round][i] = compress(request.build().toByteArray());
                samples[round][i] = to - from;
            }
        });
        return new PushRequests(bodies, samples);
    }

    int rounds() {
        return bodies.length;
    }

    int requests(int round) {
        return bodies[round].length;
    }

    byte[] body(int round, int request) {
        return bodies[round][request];
    }

    int samples(int round, int request) {
        return samples[round][request];
    }

    /** Position of the round's first request among all requests of the run (for per-request slots). */
    int firstRequest(int round) {
        return firstRequest[round];
    }

    int totalRequests() {
        return totalRequests;
    }

    long totalSamples() {
        return totalSamples;
    }

    /** Compressed bytes of all bodies. */
    long totalBytes() {
        return totalBytes;
    }

    private static byte[] compress(byte[] raw) {
        try {
            return Snappy.compress(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("snappy compression failed", e);
        }
    }
}
