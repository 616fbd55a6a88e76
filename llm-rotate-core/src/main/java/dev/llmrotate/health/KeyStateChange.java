package dev.llmrotate.health;

import java.time.Duration;
import java.time.Instant;

/**
 * One change of a key's health, as kept in its bounded history ({@code LlmRotate.keyHistory}): a key-wide change
 * (auth, permission, quota; an operator's reset) or a change of one of its models (rate limits, outages, an
 * unavailable model). A rest that ends by itself is not a change of its own: the rest's {@code until} says when the
 * key became eligible for a probation trial, and the next change says how the trial went.
 *
 * @param at when the change happened
 * @param keyId the key
 * @param model the model of a (key, model) change, or null for a key-wide one
 * @param from the state before (a rest whose time had run out counts as PROBATION)
 * @param to the state after; equal to {@code from} when a new failure extended a rest
 * @param cause the {@code ErrorType} wire name of the failure that caused it ({@code rate_limit}, {@code
 *     invalid_auth}, ...), or null for a success, a reset or a reload
 * @param retryAfter the wait the provider asked for (Retry-After or its equivalent), or null
 * @param until when the rest ends (COOLDOWN, QUARANTINE), or null
 */
public record KeyStateChange(
        Instant at,
        String keyId,
        String model,
        KeyState from,
        KeyState to,
        String cause,
        Duration retryAfter,
        Instant until) {}
