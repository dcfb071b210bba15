package io.mnemo.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The ring as one node sees it at one moment: every ingester's last report, and what follows from
 * it. An ingester is UNHEALTHY to the others when its node is unreachable or its heartbeat is older
 * than the timeout, whatever it last said.
 */
public final class RingView {
    /** An ingester with the state others should assume for it. */
    public record Member(IngesterDesc desc, RingState effectiveState) {
        public IngesterId id() { return desc.id(); }
    }

    private final List<Member> members;

    public RingView(Collection<IngesterDesc> descs, Set<String> unreachableNodes, long nowMillis, Duration heartbeatTimeout) {
        List<Member> out = new ArrayList<>(descs.size());
        for (IngesterDesc d : descs) {
            boolean silent = nowMillis - d.heartbeatMillis() > heartbeatTimeout.toMillis();
            RingState effective = silent || unreachableNodes.contains(d.node()) ? RingState.UNHEALTHY : d.state();
            out.add(new Member(d, effective));
        }
        out.sort(Comparator.comparingInt((Member m) -> m.id().partition()).thenComparing(m -> m.id().zone()));
        this.members = List.copyOf(out);
    }

    /** Every ingester, sorted by partition, then zone. */
    public List<Member> members() {
        return members;
    }

    public Optional<Member> member(IngesterId id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /**
     * The ingester to read a partition from: ACTIVE before LEAVING, the preferred zone before
     * others. Empty when no ingester of the partition can serve reads.
     */
    public Optional<Member> readerFor(int partition, String preferredZone) {
        List<Member> readers = readersFor(partition, preferredZone);
        return readers.isEmpty() ? Optional.empty() : Optional.of(readers.get(0));
    }

    /** Every ingester that can serve reads of a partition, best first (see {@link #readerFor}). */
    public List<Member> readersFor(int partition, String preferredZone) {
        List<Member> out = new ArrayList<>();
        for (Member m : members) {
            if (m.id().partition() == partition && m.effectiveState().readable()) out.add(m);
        }
        out.sort(Comparator.comparingInt(m -> (m.effectiveState() == RingState.ACTIVE ? 0 : 2)
                + (m.id().zone().equals(preferredZone) ? 0 : 1)));
        return out;
    }

    /** Why a partition has no reader, for the error a query returns. */
    public String describePartition(int partition) {
        StringBuilder sb = new StringBuilder();
        for (Member m : members) {
            if (m.id().partition() != partition) continue;
            if (sb.length() > 0) sb.append(", ");
            sb.append(m.id()).append(' ').append(m.effectiveState());
        }
        return sb.length() == 0 ? "no ingester registered" : sb.toString();
    }
}
