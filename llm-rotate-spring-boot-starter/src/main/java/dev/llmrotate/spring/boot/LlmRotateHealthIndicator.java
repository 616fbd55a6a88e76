package dev.llmrotate.spring.boot;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Actuator health of the key pools, as the contributor {@code llmRotate}: {@code UP} while a key can serve a call now,
 * {@code OUT_OF_SERVICE} while every key rests (rate limits, quarantines: they come back by themselves), {@code DOWN}
 * when every key is disabled (revoked or misconfigured: only a person brings them back).
 *
 * <p>Details per provider (keys serving now, keys in all, the first back) and per key (its id, the masked secret, its
 * state, the last error, and its models' states); never a secret.
 *
 * <p>The starter keeps this contributor out of the readiness group: a provider-wide 429 storm must not take every pod
 * out of the load balancer. Opt in with Boot's own property,
 * {@code management.endpoint.health.group.readiness.include=readinessState,llmRotate}.
 */
public final class LlmRotateHealthIndicator implements HealthIndicator {
    private final LlmRotate lm;

    /**
     * The health of {@code lm}'s keys.
     *
     * @param lm the instance whose keys are reported
     */
    public LlmRotateHealthIndicator(LlmRotate lm) {
        this.lm = Objects.requireNonNull(lm, "lm");
    }

    @Override
    public Health health() {
        HealthReport report = lm.health();
        int serving = 0;
        Map<String, Object> providers = new LinkedHashMap<>();
        for (Map.Entry<String, HealthReport.ProviderReport> e :
                report.providers().entrySet()) {
            HealthReport.ProviderReport provider = e.getValue();
            serving += provider.availableKeys();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("availableKeys", provider.availableKeys());
            detail.put("totalKeys", provider.totalKeys());
            if (provider.earliestRetryAt() != null) {
                detail.put("earliestRetryAt", provider.earliestRetryAt().toString());
            }
            providers.put(e.getKey(), detail);
        }
        List<Map<String, Object>> keys = new ArrayList<>();
        boolean allDisabled = !report.keys().isEmpty();
        for (HealthReport.KeyReport key : report.keys()) {
            allDisabled &= key.state() == KeyState.DISABLED;
            keys.add(keyDetail(key));
        }
        Health.Builder health = serving > 0 ? Health.up() : allDisabled ? Health.down() : Health.outOfService();
        return health.withDetail("providers", providers)
                .withDetail("keys", keys)
                .build();
    }

    private static Map<String, Object> keyDetail(HealthReport.KeyReport key) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("keyId", key.keyId());
        detail.put("provider", key.provider());
        if (key.keyMask() != null) {
            detail.put("keyMask", key.keyMask());
        }
        detail.put("state", key.state().name());
        if (key.availableAt() != null) {
            detail.put("availableAt", key.availableAt().toString());
        }
        if (key.lastErrorType() != null) {
            detail.put("lastErrorType", key.lastErrorType());
        }
        Map<String, String> models = new LinkedHashMap<>();
        key.models().forEach((model, health) -> models.put(model, health.state().name()));
        detail.put("models", models);
        return detail;
    }
}
