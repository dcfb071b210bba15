package io.mnemo.tsdb.block;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A block's {@code meta.json}: its id, the time range it covers, [minTime, maxTime) with maxTime
 * exclusive as in Prometheus, counts of what it holds, and its compaction lineage: level 1 and
 * itself as only source for a block cut from a head; for a compacted block, one level above its
 * highest input, the sources of all its inputs and the inputs themselves as parents.
 *
 * <p>Samples are counted in all ({@code numSamples}) and, as Prometheus 2.45+ and 3 write them,
 * by kind: {@code numFloatSamples} in XOR chunks, {@code numHistogramSamples} in integer and
 * float histogram chunks. Go omits a zero count, so a meta.json written before the split (or by
 * an older Prometheus) reads as 0 for both.
 */
public record BlockMeta(Ulid ulid, long minTime, long maxTime, long numSamples, long numSeries, long numChunks,
                        int compactionLevel, List<Ulid> sources, List<Parent> parents,
                        long numFloatSamples, long numHistogramSamples) {
    public static final String FILE_NAME = "meta.json";
    /** The only meta.json version Prometheus writes and reads. */
    public static final int VERSION = 1;

    /** A block a compacted block was made from, as Prometheus's {@code compaction.parents} lists it. */
    public record Parent(Ulid ulid, long minTime, long maxTime) {}

    public BlockMeta {
        sources = List.copyOf(sources);
        parents = List.copyOf(parents);
    }

    /** A block of float samples only. */
    public BlockMeta(Ulid ulid, long minTime, long maxTime, long numSamples, long numSeries, long numChunks,
                     int compactionLevel, List<Ulid> sources, List<Parent> parents) {
        this(ulid, minTime, maxTime, numSamples, numSeries, numChunks, compactionLevel, sources, parents, numSamples, 0);
    }

    /** A block of float samples only, without parents: cut from a head, or one whose meta.json lists none. */
    public BlockMeta(Ulid ulid, long minTime, long maxTime, long numSamples, long numSeries, long numChunks,
                     int compactionLevel, List<Ulid> sources) {
        this(ulid, minTime, maxTime, numSamples, numSeries, numChunks, compactionLevel, sources, List.of());
    }

    /** The meta of a block of float samples only, freshly cut from a head. */
    public static BlockMeta level1(Ulid ulid, long minTime, long maxTime, long numSamples, long numSeries,
                                   long numChunks) {
        return new BlockMeta(ulid, minTime, maxTime, numSamples, numSeries, numChunks, 1, List.of(ulid));
    }

    /** The meta of a block freshly cut from a head, its samples counted by kind. */
    public static BlockMeta level1(Ulid ulid, long minTime, long maxTime, long numFloatSamples, long numHistogramSamples,
                                   long numSeries, long numChunks) {
        return new BlockMeta(ulid, minTime, maxTime, numFloatSamples + numHistogramSamples, numSeries, numChunks, 1,
                List.of(ulid), List.of(), numFloatSamples, numHistogramSamples);
    }

    /** This meta with other lineage and id, the same counts: a copy of a block under another ULID. */
    public BlockMeta withLineage(Ulid ulid, int compactionLevel, List<Ulid> sources, List<Parent> parents) {
        return new BlockMeta(ulid, minTime, maxTime, numSamples, numSeries, numChunks, compactionLevel, sources, parents,
                numFloatSamples, numHistogramSamples);
    }

    /** Whether the block may hold samples in [mint, maxt] (both inclusive, as queriers take them). */
    public boolean overlaps(long mint, long maxt) {
        return minTime <= maxt && maxTime > mint;
    }

    /** The JSON Prometheus writes (tab-indented, keys in its order). */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n");
        sb.append("\t\"ulid\": ").append(Json.quote(ulid.toString())).append(",\n");
        sb.append("\t\"minTime\": ").append(minTime).append(",\n");
        sb.append("\t\"maxTime\": ").append(maxTime).append(",\n");
        sb.append("\t\"stats\": {\n");
        sb.append("\t\t\"numSamples\": ").append(numSamples).append(",\n");
        // Go's omitempty: a count of zero is left out.
        if (numFloatSamples != 0) sb.append("\t\t\"numFloatSamples\": ").append(numFloatSamples).append(",\n");
        if (numHistogramSamples != 0) sb.append("\t\t\"numHistogramSamples\": ").append(numHistogramSamples).append(",\n");
        sb.append("\t\t\"numSeries\": ").append(numSeries).append(",\n");
        sb.append("\t\t\"numChunks\": ").append(numChunks).append("\n");
        sb.append("\t},\n");
        sb.append("\t\"compaction\": {\n");
        sb.append("\t\t\"level\": ").append(compactionLevel).append(",\n");
        sb.append("\t\t\"sources\": [\n");
        for (int i = 0; i < sources.size(); i++) {
            sb.append("\t\t\t").append(Json.quote(sources.get(i).toString()));
            sb.append(i + 1 < sources.size() ? ",\n" : "\n");
        }
        sb.append(parents.isEmpty() ? "\t\t]\n" : "\t\t],\n");
        if (!parents.isEmpty()) { // omitted when empty, as Go's omitempty does
            sb.append("\t\t\"parents\": [\n");
            for (int i = 0; i < parents.size(); i++) {
                Parent p = parents.get(i);
                sb.append("\t\t\t{\n");
                sb.append("\t\t\t\t\"ulid\": ").append(Json.quote(p.ulid().toString())).append(",\n");
                sb.append("\t\t\t\t\"minTime\": ").append(p.minTime()).append(",\n");
                sb.append("\t\t\t\t\"maxTime\": ").append(p.maxTime()).append("\n");
                sb.append(i + 1 < parents.size() ? "\t\t\t},\n" : "\t\t\t}\n");
            }
            sb.append("\t\t]\n");
        }
        sb.append("\t},\n");
        sb.append("\t\"version\": ").append(VERSION).append("\n");
        sb.append("}");
        return sb.toString();
    }

    /** Parses a meta.json, ours or Prometheus's (fields this record does not hold are ignored). */
    public static BlockMeta parse(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> m)) throw new IllegalArgumentException("meta.json is not an object");
        Object version = m.get("version");
        if (!(version instanceof Long v) || v != VERSION) {
            throw new IllegalArgumentException("unsupported meta.json version " + version + ", expected " + VERSION);
        }
        Ulid ulid = Ulid.parse(string(m, "ulid"));
        Map<?, ?> stats = m.get("stats") instanceof Map<?, ?> s ? s : Map.of();
        Map<?, ?> compaction = m.get("compaction") instanceof Map<?, ?> c ? c : Map.of();
        List<Ulid> sources = new ArrayList<>();
        if (compaction.get("sources") instanceof List<?> l) {
            for (Object o : l) sources.add(Ulid.parse(String.valueOf(o)));
        }
        List<Parent> parents = new ArrayList<>();
        if (compaction.get("parents") instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof Map<?, ?> p)) throw new IllegalArgumentException("compaction parent is not an object");
                parents.add(new Parent(Ulid.parse(string(p, "ulid")), number(p, "minTime", true), number(p, "maxTime", true)));
            }
        }
        return new BlockMeta(ulid, number(m, "minTime", true), number(m, "maxTime", true),
                number(stats, "numSamples", false), number(stats, "numSeries", false),
                number(stats, "numChunks", false), (int) number(compaction, "level", false), sources, parents,
                number(stats, "numFloatSamples", false), number(stats, "numHistogramSamples", false));
    }

    public static BlockMeta read(Path blockDir) throws IOException {
        Path p = blockDir.resolve(FILE_NAME);
        try {
            return parse(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid " + p + ": " + e.getMessage(), e);
        }
    }

    private static String string(Map<?, ?> m, String key) {
        if (m.get(key) instanceof String s) return s;
        throw new IllegalArgumentException("missing string field \"" + key + "\"");
    }

    private static long number(Map<?, ?> m, String key, boolean required) {
        Object v = m.get(key);
        if (v instanceof Long l) return l;
        if (v == null && !required) return 0;
        throw new IllegalArgumentException("missing integer field \"" + key + "\"");
    }
}
