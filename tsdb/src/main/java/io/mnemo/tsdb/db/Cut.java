package io.mnemo.tsdb.db;

/**
 * One cut of a {@link TenantDb}'s head: the samples in [mint, maxt) go to blocks, and the head
 * lets go of them. An in-order cut writes at most one block of that range; an out-of-order one
 * writes the head's out-of-order samples from before its min valid time (ranges cut already) as
 * blocks that overlap those, one per {@link BlockLevels} level they span.
 */
public record Cut(long mint, long maxt, boolean outOfOrder) {}
