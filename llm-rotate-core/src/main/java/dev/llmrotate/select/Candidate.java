package dev.llmrotate.select;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.health.KeyState;

/**
 * A key that may serve a call now, as a strategy sees it: its key-wide health and its health for the route's model
 * taken together.
 *
 * @param key the key
 * @param position its index in the route's full key list (configuration order), stable across calls
 * @param state ACTIVE, or PROBATION when the key or its (key, model) scope is on probation
 * @param consecutiveFailures failures since the last success, key-wide and for the model
 * @param recentFailures failures in the current window, key-wide and for the model
 */
public record Candidate(KeySpec key, int position, KeyState state, int consecutiveFailures, int recentFailures) {}
