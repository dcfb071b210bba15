package io.mnemo.actors.readpath;

import static org.junit.jupiter.api.Assertions.*;

import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.exemplar.Exemplar;
import io.mnemo.tsdb.exemplar.SeriesExemplars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExemplarFramesTest {
    @Test
    void aLargeAnswerIsSplitIntoBoundedFramesAndReadBackWhole() {
        List<SeriesExemplars> in = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            List<Exemplar> exemplars = new ArrayList<>();
            int n = s == 1 ? 5_000 : 2; // the middle series spans several frames
            for (int e = 0; e < n; e++) {
                exemplars.add(new Exemplar(Labels.of("trace_id", "%032x".formatted(e)), e == 7 ? Double.NaN : e * 0.5, -3 + e));
            }
            in.add(new SeriesExemplars(Labels.of("__name__", "req", "s", "" + s), exemplars));
        }
        ExemplarFrames frames = new ExemplarFrames(in, 16 * 1024);
        Map<Labels, List<Exemplar>> out = new LinkedHashMap<>();
        int count = 0;
        for (byte[] f; (f = frames.next()) != null; count++) {
            assertTrue(f.length < 16 * 1024 + 200, "a frame is about the budget: " + f.length);
            for (SeriesExemplars s : ExemplarFrames.decode(f)) {
                out.computeIfAbsent(s.seriesLabels(), k -> new ArrayList<>()).addAll(s.exemplars());
            }
        }
        assertTrue(count > 5, count + " frames");
        assertEquals(3, frames.items());
        assertEquals(3, out.size());
        for (SeriesExemplars s : in) {
            List<Exemplar> got = out.get(s.seriesLabels());
            assertEquals(s.exemplars().size(), got.size());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(s.exemplars().get(i).labels(), got.get(i).labels());
                assertEquals(s.exemplars().get(i).timestamp(), got.get(i).timestamp());
                assertEquals(Double.doubleToRawLongBits(s.exemplars().get(i).value()), Double.doubleToRawLongBits(got.get(i).value()));
            }
        }
        assertNull(new ExemplarFrames(List.of(), 1024).next(), "no exemplars: no frame");
        assertThrows(IllegalArgumentException.class, () -> ExemplarFrames.decode(new byte[] {1, 1, 1}));
    }
}
