package io.mnemo.promql.value;

/** The type an expression evaluates to, as Prometheus names it in its API and its error messages. */
public enum ValueType {
    NONE("none", "none"),
    SCALAR("scalar", "scalar"),
    VECTOR("vector", "instant vector"),
    MATRIX("matrix", "range vector"),
    STRING("string", "string");

    private final String apiName;
    private final String documentedName;

    ValueType(String apiName, String documentedName) {
        this.apiName = apiName;
        this.documentedName = documentedName;
    }

    /** The name of the {@code resultType} in the HTTP API: scalar, vector, matrix, string. */
    public String apiName() { return apiName; }

    /** The name used in user-facing messages: "instant vector", "range vector", ... */
    public String documentedName() { return documentedName; }
}
