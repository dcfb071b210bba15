package io.mnemo.actors.distributor;

/**
 * The answer to a push, as Mimir gives it: 200 with no body when everything was written; 4xx
 * with a message naming the limit and the series when input was refused; 5xx when Kafka did not
 * acknowledge in time (nothing is then reported written).
 */
public record PushResult(int status, String message) {
    public static final PushResult OK = new PushResult(200, "");

    public boolean ok() {
        return status / 100 == 2;
    }
}
