package dev.llmrotate.server.gateway;

import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.Suggestions;
import dev.llmrotate.error.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The {@code gateway:} block of the configuration file, which the library keeps as read ({@link
 * LlmRotateConfig#moduleBlock}) and this class checks: every problem is listed with its path, as the library lists
 * its own, and a misspelt field gets a did-you-mean.
 *
 * <pre>
 * gateway:
 *   port: 4000                      # the gateway listens when this is set (or --gateway-port is given)
 *   host: 127.0.0.1
 *   keys:                           # when present, every request needs one: Authorization: Bearer &lt;secret&gt;
 *     - {id: team-a, secret_ref: env://GATEWAY_KEY_TEAM_A}
 *     - {id: batch, secret_ref: file:///run/secrets/gw-batch, models: [gpt-4o-mini], rate_limit_rpm: 600}
 *   max_body_bytes: 20971520
 *   max_concurrent_calls: 256
 *   max_queued_calls: 256           # more calls wait here for one in flight to end; one more is a 429
 *   max_queue_wait_seconds: 10      # the longest a call waits in the queue before its 429
 *   request_timeout_seconds: 30
 *   shutdown_grace_seconds: 30
 *   allow_unauthenticated: false    # serve a non-loopback host without keys
 * </pre>
 *
 * @param enabled whether the block asks for the gateway (it has a {@code port})
 * @param options the options it describes (the port 4000 when none is given)
 */
public record GatewayConfig(boolean enabled, GatewayOptions options) {
    static final List<String> FIELDS = List.of(
            "port",
            "host",
            "keys",
            "max_body_bytes",
            "max_concurrent_calls",
            "max_queued_calls",
            "max_queue_wait_seconds",
            "request_timeout_seconds",
            "shutdown_grace_seconds",
            "allow_unauthenticated");
    static final List<String> KEY_FIELDS = List.of("id", "secret_ref", "models", "rate_limit_rpm");
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * Reads and checks the {@code gateway:} block of {@code config}, resolving the gateway keys' secrets.
     *
     * @param config the loaded configuration
     * @param environment the environment {@code env://} references read
     * @throws ConfigurationException listing every problem, each with its path ({@code gateway.keys[1].secret_ref:
     *     environment variable GW_B is not set or empty})
     * @return the block's options, not enabled when there is no block or it has no {@code port}
     */
    public static GatewayConfig read(LlmRotateConfig config, UnaryOperator<String> environment) {
        Map<String, Object> block = config.moduleBlock("gateway");
        List<String> problems = new ArrayList<>();
        GatewayOptions.Builder options = GatewayOptions.builder();
        unknownFields(block, "gateway", FIELDS, problems);
        Integer port = integer(block, "port", "gateway", 0, 65_535, problems);
        if (port != null) {
            options.port(port);
        }
        String host = string(block, "host", "gateway", problems);
        if (host != null) {
            options.host(host);
        }
        Integer maxBody = integer(block, "max_body_bytes", "gateway", 1, Integer.MAX_VALUE, problems);
        if (maxBody != null) {
            options.maxBodyBytes(maxBody);
        }
        Integer maxCalls = integer(block, "max_concurrent_calls", "gateway", 1, 100_000, problems);
        if (maxCalls != null) {
            options.maxConcurrentCalls(maxCalls);
        }
        Integer maxQueued = integer(block, "max_queued_calls", "gateway", 0, 100_000, problems);
        if (maxQueued != null) {
            options.maxQueuedCalls(maxQueued);
        }
        Duration queueWait = seconds(block, "max_queue_wait_seconds", problems);
        if (queueWait != null) {
            options.maxQueueWait(queueWait);
        }
        Duration requestTimeout = seconds(block, "request_timeout_seconds", problems);
        if (requestTimeout != null) {
            options.requestTimeout(requestTimeout);
        }
        Duration grace = seconds(block, "shutdown_grace_seconds", problems);
        if (grace != null) {
            options.shutdownGrace(grace);
        }
        Object allow = block.get("allow_unauthenticated");
        if (allow != null) {
            if (allow instanceof Boolean b) {
                options.allowUnauthenticated(b);
            } else {
                problems.add("gateway.allow_unauthenticated: expected true or false, got " + describe(allow));
            }
        }
        options.keys(keys(block.get("keys"), environment, problems));
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        try {
            return new GatewayConfig(port != null, options.build());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

    private static List<GatewayKey> keys(Object value, UnaryOperator<String> environment, List<String> problems) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add("gateway.keys: expected a list of keys ({id, secret_ref, models, rate_limit_rpm}), got "
                    + describe(value));
            return List.of();
        }
        List<GatewayKey> keys = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "gateway.keys[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> raw)) {
                problems.add(path + ": expected a map {id, secret_ref, models, rate_limit_rpm}, got "
                        + describe(list.get(i)));
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> key = (Map<String, Object>) raw;
            unknownFields(key, path, KEY_FIELDS, problems);
            String id = string(key, "id", path, problems);
            if (id == null) {
                if (!key.containsKey("id")) {
                    problems.add(path + ".id: required field is missing");
                }
            } else if (!KEY_ID.matcher(id).matches()) {
                problems.add(path + ".id: expected 1 to 64 letters, digits, '.', '_' or '-', got " + describe(id));
                id = null;
            } else if (!ids.add(id)) {
                problems.add(path + ".id: '" + id + "' is used by an earlier gateway key");
                id = null;
            }
            String secret = secret(key, path, environment, problems);
            Set<String> models = models(key.get("models"), path, problems);
            Integer rpm = integer(key, "rate_limit_rpm", path, 1, 10_000_000, problems);
            if (id != null && secret != null && models != null) {
                keys.add(GatewayKey.of(id, secret, models, rpm));
            }
        }
        return keys;
    }

    private static String secret(
            Map<String, Object> key, String path, UnaryOperator<String> environment, List<String> problems) {
        Object ref = key.get("secret_ref");
        if (ref == null) {
            problems.add(path + ".secret_ref: required field is missing");
            return null;
        }
        if (!(ref instanceof String text)) {
            problems.add(
                    path + ".secret_ref: expected a reference such as env://NAME or file:///path, got a " + kind(ref));
            return null;
        }
        try {
            return SecretRef.parse(text, environment).resolve();
        } catch (ConfigurationException | IllegalArgumentException e) {
            problems.add(path + ".secret_ref: " + e.getMessage());
            return null;
        }
    }

    private static Set<String> models(Object value, String path, List<String> problems) {
        if (value == null) {
            return Set.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add(path + ".models: expected a list of model ids, got " + describe(value));
            return null;
        }
        Set<String> models = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof String model && !model.isBlank()) {
                models.add(model);
            } else {
                problems.add(path + ".models[" + i + "]: expected a model id, got " + describe(list.get(i)));
                return null;
            }
        }
        return models;
    }

    private static void unknownFields(Map<String, Object> map, String path, List<String> known, List<String> out) {
        for (String field : map.keySet()) {
            if (!known.contains(field)) {
                out.add(path + "." + field + ": unknown field" + Suggestions.didYouMean(field, known));
            }
        }
    }

    private static String string(Map<String, Object> map, String field, String path, List<String> problems) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof String s && !s.isBlank()) {
            return s;
        }
        problems.add(path + "." + field + ": expected a non-empty string, got " + describe(value));
        return null;
    }

    private static Integer integer(
            Map<String, Object> map, String field, String path, int min, int max, List<String> problems) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Integer i && i >= min && i <= max) {
            return i;
        }
        problems.add(path + "." + field + ": expected a whole number from " + min + " to " + max + ", got "
                + describe(value));
        return null;
    }

    private static Duration seconds(Map<String, Object> map, String field, List<String> problems) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (value instanceof Number n && n.doubleValue() > 0 && n.doubleValue() <= 86_400) {
            return Duration.ofMillis(Math.round(n.doubleValue() * 1000));
        }
        problems.add("gateway." + field + ": expected seconds above 0 and at most 86400, got " + describe(value));
        return null;
    }

    /** A value for a message: short scalars as they are, anything else by its kind. */
    private static String describe(Object value) {
        if (value instanceof String s) {
            return s.length() <= 64 ? "'" + s + "'" : "a string of " + s.length() + " characters";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        return "a " + kind(value);
    }

    private static String kind(Object value) {
        return value instanceof Map
                ? "map"
                : value instanceof List ? "list" : value.getClass().getSimpleName();
    }
}
