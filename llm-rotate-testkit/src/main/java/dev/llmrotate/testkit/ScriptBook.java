package dev.llmrotate.testkit;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scripts of one fake server and the order they are consulted in: key and model, then key, then model, then the
 * default. Independent of any wire format.
 */
final class ScriptBook {

    private final Map<KeyAndModel, Script> byKeyAndModel = new ConcurrentHashMap<>();
    private final Map<String, Script> byKey = new ConcurrentHashMap<>();
    private final Map<String, Script> byModel = new ConcurrentHashMap<>();
    private final Script byDefault = new Script("byDefault");

    Script forKeyAndModel(String apiKey, String model) {
        KeyAndModel selector = new KeyAndModel(checked(apiKey, "apiKey"), checked(model, "model"));
        return byKeyAndModel.computeIfAbsent(
                selector, s -> new Script("forKeyAndModel " + s.apiKey() + ", " + s.model()));
    }

    Script forKey(String apiKey) {
        return byKey.computeIfAbsent(checked(apiKey, "apiKey"), k -> new Script("forKey " + k));
    }

    Script forModel(String model) {
        return byModel.computeIfAbsent(checked(model, "model"), m -> new Script("forModel " + m));
    }

    Script byDefault() {
        return byDefault;
    }

    /** The answer of the most specific script that has one, or {@code null} if none has. */
    FakeResponse answer(RecordedRequest request) {
        String apiKey = request.apiKey();
        String model = request.model();
        FakeResponse response = null;
        if (apiKey != null && model != null) {
            response = answer(byKeyAndModel.get(new KeyAndModel(apiKey, model)), request);
        }
        if (response == null && apiKey != null) {
            response = answer(byKey.get(apiKey), request);
        }
        if (response == null && model != null) {
            response = answer(byModel.get(model), request);
        }
        if (response == null) {
            response = byDefault.answer(request);
        }
        return response;
    }

    /** Clears every script in place, so references callers still hold stay attached. */
    void reset() {
        byKeyAndModel.values().forEach(Script::clear);
        byKey.values().forEach(Script::clear);
        byModel.values().forEach(Script::clear);
        byDefault.clear();
    }

    private static FakeResponse answer(Script script, RecordedRequest request) {
        return script == null ? null : script.answer(request);
    }

    private static String checked(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    private record KeyAndModel(String apiKey, String model) {}
}
