package dev.llmrotate.internal.provider.sse;

/**
 * One server-sent event.
 *
 * @param event the {@code event:} name, or {@code message} when none was given
 * @param data the {@code data:} lines joined by newlines
 * @param id the last {@code id:}, or null
 */
public record SseEvent(String event, String data, String id) {}
