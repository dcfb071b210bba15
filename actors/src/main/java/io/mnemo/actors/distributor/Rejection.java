package io.mnemo.actors.distributor;

/** Part of a push that was refused: why, and a message for the client naming the series or family. */
public record Rejection(DiscardReason reason, String message) {}
