package io.mnemo.cluster;

import java.util.List;
import java.util.Optional;

/**
 * Which ingester a querier in {@code zone} would read a partition from right now, the ones it
 * would try next if that one does not answer, and why, in words (for the querier's status page).
 */
public record ReaderChoice(int partition, Optional<RingView.Member> reader, List<RingView.Member> fallbacks,
                           String reason) {

    public static ReaderChoice of(RingView view, int partition, String zone) {
        List<RingView.Member> readers = view.readersFor(partition, zone);
        if (readers.isEmpty()) {
            return new ReaderChoice(partition, Optional.empty(), List.of(),
                    "no readable ingester (" + view.describePartition(partition) + "): queries fail with 503");
        }
        RingView.Member reader = readers.get(0);
        boolean ownZone = reader.id().zone().equals(zone);
        String reason;
        if (reader.effectiveState() == RingState.ACTIVE) {
            reason = ownZone ? "ACTIVE in this querier's zone"
                    : "ACTIVE in another zone: " + ownZoneState(view, partition, zone);
        } else {
            reason = "LEAVING, read only as a last resort: no ACTIVE ingester ("
                    + view.describePartition(partition) + ")";
        }
        return new ReaderChoice(partition, Optional.of(reader), List.copyOf(readers.subList(1, readers.size())), reason);
    }

    private static String ownZoneState(RingView view, int partition, String zone) {
        return view.member(new IngesterId(zone, partition))
                .map(m -> "this zone's " + m.id() + " is " + m.effectiveState())
                .orElse("this zone (" + zone + ") has no ingester for it");
    }
}
