package io.mnemo.promql.eval;

import io.mnemo.tsdb.HistogramIterator;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Arrays;

/**
 * The samples of one series inside a range selector's window (mint, maxt], kept as it slides
 * forward step by step: samples leaving the window are dropped from the front, new ones are read
 * from the series iterator at the back, so each sample is read once however many windows hold it.
 * Floats and histograms are kept apart, as the range functions treat them apart; staleness
 * markers are left out. The samples it holds count towards the query's sample limit from the
 * moment they are read, so a window over a huge range fails the query before it outgrows it.
 */
final class Window {
    private final QueryContext q;

    long[] ft = new long[16];
    double[] fv = new double[16];
    int fStart;
    int fEnd;
    long[] ht = new long[4];
    FloatHistogram[] hv = new FloatHistogram[4];
    int hStart;
    int hEnd;

    private SampleIterator it;
    private HistogramIterator hit;
    private boolean pending;
    private boolean exhausted;
    /** Samples held, as counted against the limit. */
    private long held;

    Window(QueryContext q) {
        this.q = q;
    }

    /** Starts over on another series. */
    void reset(SampleIterator iterator) {
        release();
        it = iterator;
        hit = iterator instanceof HistogramIterator h ? h : null;
        pending = false;
        exhausted = false;
    }

    /** Lets go of the samples held. */
    void release() {
        fStart = fEnd = 0;
        Arrays.fill(hv, hStart, hEnd, null);
        hStart = hEnd = 0;
        q.release(held);
        held = 0;
    }

    int floatCount() { return fEnd - fStart; }
    int histogramCount() { return hEnd - hStart; }
    boolean isEmpty() { return fEnd == fStart && hEnd == hStart; }
    long floatT(int i) { return ft[fStart + i]; }
    double floatV(int i) { return fv[fStart + i]; }
    long histT(int i) { return ht[hStart + i]; }
    FloatHistogram hist(int i) { return hv[hStart + i]; }

    /** The time of the next sample after the window, Long.MAX_VALUE when the series has no more. */
    long nextTimestamp() {
        return pending ? it.timestamp() : Long.MAX_VALUE;
    }

    /** Samples in memory, a histogram counting as its size. */
    long sampleCount() {
        long n = floatCount();
        for (int i = hStart; i < hEnd; i++) n += hv[i].sampleSize();
        return n;
    }

    /** Moves the window to (mint, maxt]; both bounds never decrease from one call to the next. */
    void advance(long mint, long maxt) {
        long dropped = 0;
        while (fStart < fEnd && ft[fStart] <= mint) {
            fStart++;
            dropped++;
        }
        while (hStart < hEnd && ht[hStart] <= mint) {
            dropped += hv[hStart].sampleSize();
            hv[hStart++] = null;
        }
        q.release(dropped);
        held -= dropped;
        if (fStart == fEnd) fStart = fEnd = 0;
        if (hStart == hEnd) hStart = hEnd = 0;
        if (exhausted || mint >= maxt) return;
        if (!pending || it.timestamp() <= mint) {
            if (!it.seek(mint + 1)) {
                exhausted = true;
                pending = false;
                return;
            }
            pending = true;
        }
        while (pending) {
            long t = it.timestamp();
            if (t > maxt) break;
            FloatHistogram h = hit == null ? null : hit.histogram();
            if (h != null) {
                if (!StaleNaN.is(h.sum())) addHistogram(t, h);
            } else {
                double v = it.value();
                if (!StaleNaN.is(v)) addFloat(t, v);
            }
            if (!it.next()) {
                pending = false;
                exhausted = true;
            }
        }
    }

    private void addFloat(long t, double v) {
        take(1);
        if (fEnd == ft.length) {
            if (fStart > 0) {
                System.arraycopy(ft, fStart, ft, 0, fEnd - fStart);
                System.arraycopy(fv, fStart, fv, 0, fEnd - fStart);
                fEnd -= fStart;
                fStart = 0;
            }
            if (fEnd == ft.length) {
                ft = Arrays.copyOf(ft, ft.length * 2);
                fv = Arrays.copyOf(fv, fv.length * 2);
            }
        }
        ft[fEnd] = t;
        fv[fEnd++] = v;
    }

    private void addHistogram(long t, FloatHistogram h) {
        take(h.sampleSize());
        if (hEnd == ht.length) {
            if (hStart > 0) {
                System.arraycopy(ht, hStart, ht, 0, hEnd - hStart);
                System.arraycopy(hv, hStart, hv, 0, hEnd - hStart);
                Arrays.fill(hv, hEnd - hStart, hEnd, null);
                hEnd -= hStart;
                hStart = 0;
            }
            if (hEnd == ht.length) {
                ht = Arrays.copyOf(ht, ht.length * 2);
                hv = Arrays.copyOf(hv, hv.length * 2);
            }
        }
        ht[hEnd] = t;
        hv[hEnd++] = h;
    }

    private void take(long n) {
        q.take(n);
        held += n;
    }
}
