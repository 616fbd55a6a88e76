package dev.llmrotate.internal.provider.anthropic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The Anthropic adapter's request body for a request, without HTTP: what a benchmark of the JSON mapping needs. */
public final class AnthropicBodyProbe {
    private final ObjectMapper json;
    private final AnthropicRequest format;

    public AnthropicBodyProbe(ObjectMapper json) {
        this.json = json;
        this.format = new AnthropicRequest(json);
    }

    /** The body bytes the adapter would send for {@code request}. */
    public byte[] body(ChatRequest request) {
        try {
            return json.writeValueAsBytes(format.body(request, request.model()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
