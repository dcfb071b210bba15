package io.mnemo.actors;

import io.mnemo.persistence.MnemoSerializable;
import io.mnemo.tsdb.LabelMatcher;
import java.util.List;

/** A label matcher as it travels between nodes (a compiled regex does not). */
public record MatcherSpec(LabelMatcher.Type type, String name, String value) implements MnemoSerializable {
    public static MatcherSpec of(LabelMatcher m) {
        return new MatcherSpec(m.type(), m.name(), m.value());
    }

    public static MatcherSpec[] of(LabelMatcher... ms) {
        MatcherSpec[] out = new MatcherSpec[ms.length];
        for (int i = 0; i < ms.length; i++) out[i] = of(ms[i]);
        return out;
    }

    public LabelMatcher toMatcher() {
        return LabelMatcher.of(type, name, value);
    }

    public static LabelMatcher[] toMatchers(MatcherSpec[] specs) {
        LabelMatcher[] out = new LabelMatcher[specs.length];
        for (int i = 0; i < specs.length; i++) out[i] = specs[i].toMatcher();
        return out;
    }

    public static LabelMatcher[] toMatchers(List<MatcherSpec> specs) {
        return toMatchers(specs.toArray(new MatcherSpec[0]));
    }
}
