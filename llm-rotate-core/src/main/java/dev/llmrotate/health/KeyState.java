package dev.llmrotate.health;

/** Health states of a key. */
public enum KeyState {
    /** Healthy and eligible for selection. */
    ACTIVE,
    /** Resting after a rate limit until its deadline; then PROBATION. */
    COOLDOWN,
    /** Sidelined after an auth, permission or quota failure, a failed probation or too many failures in a row. */
    QUARANTINE,
    /** Back from a rest and watched: one trial call at a time; success makes it ACTIVE. */
    PROBATION,
    /** Out of rotation until a configuration reload or {@code LlmRotate.resetKey}. */
    DISABLED
}
