package dev.llmrotate.server.http;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.UsageSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of {@code /health}, {@code /keys} and {@code /keys/{key_id}}: the health report, and per key its health
 * joined with its configuration (priority, budgets) and its usage. Keys appear by id and mask, never by secret.
 */
public final class KeysView {
    private KeysView() {}

    /**
     * Whether {@code /health} answers 200 (else 503).
     *
     * @param report the health report
     * @return true while some key of some provider can serve a call now
     */
    public static boolean canServe(HealthReport report) {
        return report.providers().values().stream().anyMatch(p -> p.availableKeys() > 0);
    }

    /**
     * The body of {@code /health}.
     *
     * @param report the health report
     * @return the report with the overall status and key counts
     */
    public static HealthBody health(HealthReport report) {
        int available = 0;
        int total = 0;
        for (HealthReport.ProviderReport p : report.providers().values()) {
            available += p.availableKeys();
            total += p.totalKeys();
        }
        String status = available == 0 ? "unavailable" : available < total ? "degraded" : "ok";
        return new HealthBody(status, report.generatedAt(), available, total, report.providers(), report.keys());
    }

    /**
     * One key's view.
     *
     * @param report the health report
     * @param config the configuration in force, for the key's priority, weight and budgets
     * @param usage the usage counters
     * @param keyId the key's id
     * @return the key's view, or null when the key is not in the pool
     */
    public static KeyView key(HealthReport report, LlmRotateConfig config, UsageSummary usage, String keyId) {
        HealthReport.KeyReport health = report.key(keyId);
        if (health == null) {
            return null;
        }
        return KeyView.of(
                report.generatedAt(),
                health,
                specOf(config, keyId),
                usage.byKey().get(keyId));
    }

    /**
     * Every key's view.
     *
     * @param report the health report
     * @param config the configuration in force, for each key's priority, weight and budgets
     * @param usage the usage counters
     * @return a view of every key in the pool, in configuration order
     */
    public static List<KeyView> keys(HealthReport report, LlmRotateConfig config, UsageSummary usage) {
        return report.keys().stream()
                .map(k -> KeyView.of(
                        report.generatedAt(),
                        k,
                        specOf(config, k.keyId()),
                        usage.byKey().get(k.keyId())))
                .toList();
    }

    private static KeySpec specOf(LlmRotateConfig config, String keyId) {
        for (KeySpec spec : config.activeKeys()) {
            if (spec.keyId().equals(keyId)) {
                return spec;
            }
        }
        return null;
    }

    /** Seconds from {@code now} until {@code at}: 0 when it is past, null when it never comes. */
    static Double secondsUntil(Instant now, Instant at) {
        if (at == null) {
            return null;
        }
        Duration d = Duration.between(now, at);
        return d.isNegative() ? 0.0 : d.toMillis() / 1000.0;
    }

    /**
     * The body of {@code /health}.
     *
     * @param status {@code ok} (every key can serve), {@code degraded} (some can) or {@code unavailable} (none can:
     *     the answer is 503)
     * @param generatedAt when the report was taken
     * @param availableKeys keys that can serve now, over all providers
     * @param totalKeys keys in the pool
     * @param providers availability per provider
     * @param keys every key's health
     */
    public record HealthBody(
            String status,
            Instant generatedAt,
            int availableKeys,
            int totalKeys,
            Map<String, HealthReport.ProviderReport> providers,
            List<HealthReport.KeyReport> keys) {}

    /**
     * The body of {@code /keys}.
     *
     * @param generatedAt when the health report was taken
     * @param keys the keys that pass the filters
     */
    public record KeysBody(Instant generatedAt, List<KeyView> keys) {}

    /**
     * One key: the body of {@code /keys/{key_id}} and an element of {@code /keys}.
     *
     * @param keyId its id
     * @param provider its provider
     * @param keyMask its masked secret ({@code sk-…9f2a}), or null when the secret cannot be read now
     * @param state its key-wide state (see {@code HealthReport.KeyReport})
     * @param available true when it can serve one of its models now
     * @param availableAt when it can next serve: now or earlier for a usable key, null if never by itself (DISABLED)
     * @param availableInSeconds seconds until then (0 when available, null when never)
     * @param consecutiveFailures key-wide failures since the last success
     * @param recentFailures key-wide failures in the current five-minute window
     * @param lastErrorType the latest key-wide failure's type, or null
     * @param lastFailureAt when it happened, or null
     * @param lastSuccessAt the latest success, or null
     * @param priority its priority
     * @param weight its weight
     * @param budgets its client-side budgets
     * @param models per model: that model's own state
     * @param usage the calls it ended (successes, and failures where it failed last) since the counters started
     */
    public record KeyView(
            String keyId,
            String provider,
            String keyMask,
            KeyState state,
            boolean available,
            Instant availableAt,
            Double availableInSeconds,
            int consecutiveFailures,
            int recentFailures,
            String lastErrorType,
            Instant lastFailureAt,
            Instant lastSuccessAt,
            Integer priority,
            Double weight,
            Budgets budgets,
            Map<String, ModelView> models,
            UsageSummary.Totals usage) {

        static KeyView of(Instant now, HealthReport.KeyReport k, KeySpec spec, UsageSummary.Totals usage) {
            Map<String, ModelView> models = new LinkedHashMap<>();
            k.models().forEach((model, m) -> models.put(model, ModelView.of(now, m)));
            return new KeyView(
                    k.keyId(),
                    k.provider(),
                    k.keyMask(),
                    k.state(),
                    k.availableAt() != null && !k.availableAt().isAfter(now),
                    k.availableAt(),
                    secondsUntil(now, k.availableAt()),
                    k.consecutiveFailures(),
                    k.recentFailures(),
                    k.lastErrorType(),
                    k.lastFailureAt(),
                    k.lastSuccessAt(),
                    spec == null ? null : spec.priority(),
                    spec == null ? null : spec.weight(),
                    Budgets.of(spec, k.budget()),
                    models,
                    usage == null ? UsageSummary.Totals.EMPTY : usage);
        }
    }

    /**
     * A key's client-side budgets over a sliding minute, as configured, and what is used and left of them now (null:
     * no such budget, or a store that cannot tell).
     *
     * @param rateLimitRpm requests per minute
     * @param rpmUsed requests admitted in the last minute (by every process sharing the store)
     * @param rpmRemaining requests the budget admits now
     * @param rateLimitTpm tokens per minute
     * @param tpmUsed tokens used in the last minute
     * @param tpmRemaining tokens left in the budget now
     */
    public record Budgets(
            Integer rateLimitRpm,
            Integer rpmUsed,
            Integer rpmRemaining,
            Long rateLimitTpm,
            Long tpmUsed,
            Long tpmRemaining) {

        static Budgets of(KeySpec spec, HealthReport.Budget used) {
            Integer rpm = spec == null ? used.rpmLimit() : spec.rateLimitRpm();
            Long tpm = spec == null ? used.tpmLimit() : spec.rateLimitTpm();
            return new Budgets(
                    rpm,
                    rpm == null ? null : used.rpmUsed(),
                    rpm == null ? null : used.rpmRemaining(),
                    tpm,
                    tpm == null ? null : used.tpmUsed(),
                    tpm == null ? null : used.tpmRemaining());
        }
    }

    /**
     * One model of a key.
     *
     * @param state the (key, model) state
     * @param available true when the key can serve this model now (key-wide state and budgets included)
     * @param availableAt when it can next serve it, or null if never by itself
     * @param availableInSeconds seconds until then (0 when available, null when never)
     * @param consecutiveFailures failures of this model since its last success
     * @param recentFailures failures of this model in the current five-minute window
     * @param lastErrorType the latest failure's type on this model, or null
     * @param lastFailureAt when it happened, or null
     */
    public record ModelView(
            KeyState state,
            boolean available,
            Instant availableAt,
            Double availableInSeconds,
            int consecutiveFailures,
            int recentFailures,
            String lastErrorType,
            Instant lastFailureAt) {
        static ModelView of(Instant now, HealthReport.ModelReport m) {
            return new ModelView(
                    m.state(),
                    m.availableAt() != null && !m.availableAt().isAfter(now),
                    m.availableAt(),
                    secondsUntil(now, m.availableAt()),
                    m.consecutiveFailures(),
                    m.recentFailures(),
                    m.lastErrorType(),
                    m.lastFailureAt());
        }
    }
}
