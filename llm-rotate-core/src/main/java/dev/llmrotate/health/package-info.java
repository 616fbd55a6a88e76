/**
 * Key health as callers and operators see it: the {@link dev.llmrotate.health.HealthReport} snapshot (one row per key,
 * with per-model states and per-provider availability) and the {@link dev.llmrotate.health.KeyState}s a key goes
 * through.
 */
package dev.llmrotate.health;
