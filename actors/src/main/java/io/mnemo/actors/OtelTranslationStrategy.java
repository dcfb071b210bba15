package io.mnemo.actors;

/**
 * How OTLP metric and attribute names become Prometheus names (Prometheus 3's
 * {@code otlp.translation_strategy}, Mimir's {@code otel_translation_strategy}): whether
 * characters outside the legacy {@code [a-zA-Z0-9_:]} set are escaped to underscores, and whether
 * unit and type suffixes ({@code _seconds}, {@code _total}, {@code _ratio}) are added.
 */
public enum OtelTranslationStrategy {
    UNDERSCORE_ESCAPING_WITH_SUFFIXES("UnderscoreEscapingWithSuffixes", true, true),
    UNDERSCORE_ESCAPING_WITHOUT_SUFFIXES("UnderscoreEscapingWithoutSuffixes", true, false),
    NO_UTF8_ESCAPING_WITH_SUFFIXES("NoUTF8EscapingWithSuffixes", false, true),
    NO_TRANSLATION("NoTranslation", false, false);

    private final String configName;
    private final boolean escapes;
    private final boolean addsSuffixes;

    OtelTranslationStrategy(String configName, boolean escapes, boolean addsSuffixes) {
        this.configName = configName;
        this.escapes = escapes;
        this.addsSuffixes = addsSuffixes;
    }

    /** The name in configuration, Prometheus's spelling. */
    public String configName() { return configName; }

    public boolean escapes() { return escapes; }

    public boolean addsSuffixes() { return addsSuffixes; }

    public static OtelTranslationStrategy parse(String s) {
        for (OtelTranslationStrategy t : values()) if (t.configName.equals(s)) return t;
        StringBuilder known = new StringBuilder();
        for (OtelTranslationStrategy t : values()) known.append(known.isEmpty() ? "" : ", ").append(t.configName);
        throw new IllegalArgumentException("otel-translation-strategy \"" + s + "\" is not one of " + known);
    }
}
