package io.mnemo.actors.distributor;

/**
 * The answer to a push, as Mimir gives it: 200 with no body when everything was written; 4xx
 * with a message naming the limit and the series when input was refused; 5xx when Kafka did not
 * acknowledge in time (nothing is then reported written). With it, what was written, for remote
 * write 2.0's {@code X-Prometheus-Remote-Write-*-Written} answer headers: float samples Kafka
 * acknowledged (on a 400 too, where the valid rest was written), native histogram samples and
 * exemplars, likewise.
 */
public record PushResult(int status, String message, int samplesWritten, int histogramsWritten, int exemplarsWritten) {
    public static final PushResult OK = new PushResult(200, "");

    /** An answer with nothing written. */
    public PushResult(int status, String message) {
        this(status, message, 0, 0, 0);
    }

    public boolean ok() {
        return status / 100 == 2;
    }

    /** This answer, with that many float samples, native histogram samples and exemplars written. */
    PushResult withWritten(int samples, int histograms, int exemplars) {
        return new PushResult(status, message, samples, histograms, exemplars);
    }
}
