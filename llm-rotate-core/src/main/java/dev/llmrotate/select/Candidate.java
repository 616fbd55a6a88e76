package dev.llmrotate.select;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.health.KeyHealth;
import dev.llmrotate.health.KeyState;

/**
 * A key that may serve a call now, as a strategy sees it.
 *
 * @param key the key
 * @param position its index in the route's full key list (configuration order), stable across calls
 * @param health its stored health
 * @param state its effective state now (ACTIVE or PROBATION)
 * @param recentFailures failures in the current window
 */
public record Candidate(KeySpec key, int position, KeyHealth health, KeyState state, int recentFailures) {}
