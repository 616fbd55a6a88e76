package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The Bedrock adapter's Converse body for a request, without HTTP or signing: for a benchmark of the JSON mapping. */
public final class ConverseBodyProbe {
    private final ObjectMapper json;
    private final ConverseFormat format;

    public ConverseBodyProbe(ObjectMapper json) {
        this.json = json;
        this.format = new ConverseFormat(json);
    }

    /** The body bytes the adapter would send for {@code request}. */
    public byte[] body(ChatRequest request) {
        try {
            return json.writeValueAsBytes(format.requestBody(request, request.model()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
