package dev.llmrotate.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One request as a fake server received it. Fake servers record every request, including ones they answer with an
 * error or a network fault, and pass it to {@link Script#respond responders}.
 *
 * @param method the HTTP method, e.g. {@code POST}
 * @param path the request path without the query, e.g. {@code /v1/chat/completions}
 * @param headers request headers with lower-case names, sorted by name; unmodifiable
 * @param body the request body decoded as UTF-8; empty if there was none
 * @param apiKey the credential the request carried (OpenAI: the {@code Authorization: Bearer} token; Anthropic: {@code
 *     x-api-key}; Gemini AI Studio: {@code x-goog-api-key} or {@code ?key=}; Gemini Vertex: the service account a
 *     valid token was issued to, otherwise the raw bearer token), or {@code null} if it carried none
 * @param model the model the request asked for (OpenAI and Anthropic: the body's {@code model} field; Gemini: the
 *     path's model segment), or {@code null} if it named none
 * @param receivedAt when the server started handling the request
 * @param query the raw query string without the {@code ?}, e.g. {@code alt=sse}; empty if there was none
 * @param stream whether the request asked for a streamed answer (OpenAI and Anthropic: {@code "stream": true} in the
 *     body; Gemini: the {@code streamGenerateContent} method)
 * @param attributes format-specific facts about the request, unmodifiable, e.g. for Gemini {@code api} ({@code
 *     ai-studio} or {@code vertex}), {@code project}, {@code region}, {@code method}; see each server's
 *     documentation
 */
public record RecordedRequest(
        String method,
        String path,
        Map<String, List<String>> headers,
        String body,
        String apiKey,
        String model,
        Instant receivedAt,
        String query,
        boolean stream,
        Map<String, String> attributes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Creates a record, copying {@code headers} into an unmodifiable map with lower-case names (values of names that
     * differ only in case are merged) and {@code attributes} into an unmodifiable map. Only {@code apiKey} and {@code
     * model} may be {@code null}.
     *
     * @param method the HTTP method
     * @param path the request path without the query
     * @param headers request headers, names in any case
     * @param body the request body, empty if none
     * @param apiKey the credential, or {@code null}
     * @param model the requested model, or {@code null}
     * @param receivedAt when the request was received
     * @param query the raw query string, empty if none
     * @param stream whether the request asked for a stream
     * @param attributes format-specific facts
     */
    public RecordedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(query, "query");
        headers = lowerCaseCopy(Objects.requireNonNull(headers, "headers"));
        attributes = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(attributes, "attributes")));
    }

    /**
     * Creates a record of a request without a query, that did not ask for a stream and has no attributes.
     *
     * @param method the HTTP method
     * @param path the request path without the query
     * @param headers request headers, names in any case
     * @param body the request body, empty if none
     * @param apiKey the credential, or {@code null}
     * @param model the requested model, or {@code null}
     * @param receivedAt when the request was received
     */
    public RecordedRequest(
            String method,
            String path,
            Map<String, List<String>> headers,
            String body,
            String apiKey,
            String model,
            Instant receivedAt) {
        this(method, path, headers, body, apiKey, model, receivedAt, "", false, Map.of());
    }

    /**
     * One of the format-specific {@link #attributes()}, or {@code null} if the request does not have it.
     *
     * @param name the attribute name, e.g. {@code project}
     * @return its value, or {@code null}
     */
    public String attribute(String name) {
        return attributes.get(name);
    }

    /**
     * A query parameter, URL-decoded, or {@code null} if the query does not have it.
     *
     * @param name the parameter name, e.g. {@code alt}
     * @return the first value, or {@code null}
     */
    public String queryParameter(String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(key).equals(name)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    /**
     * The first value of a request header, or {@code null} if the request did not have it.
     *
     * @param name the header name, in any case
     * @return the first value, or {@code null}
     */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The body parsed as JSON, e.g. {@code request.json().path("messages").get(0).path("content").asText()}.
     *
     * @return the parsed body, freshly parsed on every call
     * @throws IllegalStateException if the body is empty or not valid JSON
     */
    public JsonNode json() {
        if (body.isBlank()) {
            throw new IllegalStateException("the request body is empty");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the request body is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The tool definitions the request carried, read from its body in any provider's format (see {@link
     * RecordedTool}), in order.
     *
     * @return the definitions; empty if the body has none or is not JSON
     */
    public List<RecordedTool> tools() {
        if (body.isBlank()) {
            return List.of();
        }
        try {
            return RecordedTool.of(JSON.readTree(body));
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    /**
     * The names of {@link #tools()}, in order.
     *
     * @return the names; empty if the request carried no tools
     */
    public List<String> toolNames() {
        return tools().stream().map(RecordedTool::name).toList();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> lowerCaseCopy(Map<String, List<String>> headers) {
        Map<String, List<String>> merged = new TreeMap<>();
        headers.forEach((name, values) -> merged.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                .addAll(values));
        merged.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(merged);
    }
}
