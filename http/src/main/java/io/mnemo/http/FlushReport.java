package io.mnemo.http;

/** What {@code POST /ingester/flush} did on this node: one line per ingester, and whether any failed (then 500). */
public record FlushReport(boolean failed, String text) {}
