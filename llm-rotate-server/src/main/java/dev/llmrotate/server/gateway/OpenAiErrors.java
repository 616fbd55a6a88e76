package dev.llmrotate.server.gateway;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The OpenAI error body, {@code {"error": {"message": ..., "type": ..., "param": ..., "code": ...}}}, with {@code
 * param} and {@code code} written as null when absent, as OpenAI does
 * (https://platform.openai.com/docs/guides/error-codes; the official SDKs read {@code error.message}, {@code type},
 * {@code param} and {@code code}).
 */
public final class OpenAiErrors {
    /** The type of every refused request: malformed, wrong types, unknown model, ... */
    public static final String INVALID_REQUEST = "invalid_request_error";

    /** Longest message written; the rest is cut (an upstream's message could quote a long prompt back). */
    static final int MAX_MESSAGE = 2_000;

    private OpenAiErrors() {}

    /**
     * The error body.
     *
     * @param error the error
     * @return the body as UTF-8 JSON bytes; a message longer than 2000 characters is cut
     */
    public static byte[] body(OpenAiError error) {
        return WireJson.bytes(128 + error.message().length(), out -> writeBody(error, out));
    }

    /**
     * The error body for these fields.
     *
     * @param message what went wrong, not null
     * @param type the error class, not null
     * @param param the request field at fault, or null
     * @param code a machine-readable code, or null
     * @return the body as UTF-8 JSON bytes
     */
    public static byte[] body(String message, String type, String param, String code) {
        return body(new OpenAiError(message, type, param, code));
    }

    /**
     * Writes the error body into {@code out}.
     *
     * @param error the error
     * @param out where the JSON goes, as UTF-8; left open
     * @throws IOException when {@code out} fails
     */
    public static void writeBody(OpenAiError error, OutputStream out) throws IOException {
        WireJson.write(out, json -> write(json, error));
    }

    /** Writes {@code {"error": {...}}} as the next value of {@code json}. */
    static void write(JsonGenerator json, OpenAiError error) throws IOException {
        json.writeStartObject();
        json.writeFieldName("error");
        json.writeStartObject();
        json.writeStringField("message", cut(error.message()));
        json.writeStringField("type", error.type());
        json.writeStringField("param", error.param());
        json.writeStringField("code", error.code());
        json.writeEndObject();
        json.writeEndObject();
    }

    private static String cut(String message) {
        if (message.length() <= MAX_MESSAGE) {
            return message;
        }
        int end = Character.isHighSurrogate(message.charAt(MAX_MESSAGE - 1)) ? MAX_MESSAGE - 1 : MAX_MESSAGE;
        return message.substring(0, end) + "… (cut)";
    }
}
