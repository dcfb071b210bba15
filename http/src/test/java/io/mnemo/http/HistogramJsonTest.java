package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mnemo.promql.value.Matrix;
import io.mnemo.promql.value.Vector;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Native histograms in query results, in the Prometheus API's JSON. */
class HistogramJsonTest {
    /** Schema 0: [-1,-0.5) 5, the zero bucket [-0.001,0.001] 2, (0.5,1] 3, an empty (1,2] left out. */
    static final FloatHistogram EXPONENTIAL = FloatHistogram.of(0, 0.001, 2, 10, 20.5,
            new int[] {0, 2}, new double[] {3, 0}, new int[] {0, 1}, new double[] {5}, null, null);
    static final String EXPONENTIAL_JSON = "{\"count\":\"10\",\"sum\":\"20.5\",\"buckets\":["
            + "[1,\"-1\",\"-0.5\",\"5\"],[3,\"-0.001\",\"0.001\",\"2\"],[0,\"0.5\",\"1\",\"3\"]]}";

    private static String json(io.mnemo.promql.value.Value v) {
        return new String(PrometheusJson.write(g -> PrometheusApi.writeValue(g, v)), StandardCharsets.UTF_8);
    }

    @Test
    void aVectorSampleThatIsAHistogramIsWrittenAsHistogram() {
        Vector v = Vector.builder(2)
                .add(Labels.of("__name__", "f"), 1_000, 1.5)
                .add(Labels.of("__name__", "h"), 1_000, 0, EXPONENTIAL)
                .build();
        assertEquals("{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"__name__\":\"f\"},\"value\":[1,\"1.5\"]},"
                + "{\"metric\":{\"__name__\":\"h\"},\"histogram\":[1," + EXPONENTIAL_JSON + "]}]}", json(v));
    }

    @Test
    void aMatrixSeriesWritesFloatsAsValuesAndHistogramsAsHistograms() {
        Matrix m = new Matrix(List.of(
                new Matrix.Series(Labels.of("__name__", "mixed"), new long[] {1_000, 2_000, 3_500},
                        new double[] {4, 0, 5}, new FloatHistogram[] {null, EXPONENTIAL, null}),
                new Matrix.Series(Labels.of("__name__", "only"), new long[] {2_000}, new double[] {0},
                        new FloatHistogram[] {EXPONENTIAL})));
        assertEquals("{\"resultType\":\"matrix\",\"result\":["
                + "{\"metric\":{\"__name__\":\"mixed\"},\"values\":[[1,\"4\"],[3.500,\"5\"]],\"histograms\":[[2," + EXPONENTIAL_JSON + "]]},"
                + "{\"metric\":{\"__name__\":\"only\"},\"histograms\":[[2," + EXPONENTIAL_JSON + "]]}]}", json(m));
    }

    @Test
    void customBucketsAndAHistogramWithoutPopulatedBuckets() {
        FloatHistogram custom = FloatHistogram.of(FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 6, 12,
                new int[] {0, 3}, new double[] {1, 2, 3}, new int[0], new double[0], new double[] {1, 5}, null);
        FloatHistogram empty = FloatHistogram.of(0, 0, 0, 0, 0, new int[0], new double[0], new int[0], new double[0],
                null, null);
        Vector v = Vector.builder(2)
                .add(Labels.of("__name__", "c"), 1_000, 0, custom)
                .add(Labels.of("__name__", "e"), 1_000, 0, empty)
                .build();
        assertEquals("{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"__name__\":\"c\"},\"histogram\":[1,{\"count\":\"6\",\"sum\":\"12\",\"buckets\":["
                + "[3,\"-Inf\",\"1\",\"1\"],[0,\"1\",\"5\",\"2\"],[0,\"5\",\"+Inf\",\"3\"]]}]},"
                + "{\"metric\":{\"__name__\":\"e\"},\"histogram\":[1,{\"count\":\"0\",\"sum\":\"0\"}]}]}", json(v));
    }
}
