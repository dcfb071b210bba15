package io.mnemo.actors.distributor;

/**
 * The remote-write message a push carries, as its Content-Type names it: remote write 1.0's
 * {@code prometheus.WriteRequest} or 2.0's {@code io.prometheus.write.v2.Request}.
 */
public enum RemoteWriteVersion {
    V1("prometheus.WriteRequest"),
    V2("io.prometheus.write.v2.Request");

    private final String message;

    RemoteWriteVersion(String message) {
        this.message = message;
    }

    /** The fully qualified protobuf message name, the Content-Type's {@code proto} parameter. */
    public String message() { return message; }
}
