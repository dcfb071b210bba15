package io.mnemo.tsdb;

import java.util.List;

/** A cursor over the series a select found, sorted by labels when asked to be. */
public interface SeriesSet {
    boolean next();

    Series at();

    SeriesSet EMPTY = new SeriesSet() {
        public boolean next() { return false; }
        public Series at() { throw new IllegalStateException(); }
    };

    static SeriesSet of(List<? extends Series> series) {
        return new SeriesSet() {
            int i = -1;
            public boolean next() { return ++i < series.size(); }
            public Series at() { return series.get(i); }
        };
    }
}
