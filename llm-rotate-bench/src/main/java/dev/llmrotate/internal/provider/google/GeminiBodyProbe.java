package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;

/** The Gemini adapters' request body for a request, without HTTP: what a benchmark of the JSON mapping needs. */
public final class GeminiBodyProbe {
    private final GeminiFormat format;

    public GeminiBodyProbe(ObjectMapper json) {
        this.format = new GeminiFormat(json);
    }

    /** The body bytes AI Studio would get for {@code request}. */
    public byte[] body(ChatRequest request) {
        return format.requestBytes(request, "google_ai_studio");
    }
}
