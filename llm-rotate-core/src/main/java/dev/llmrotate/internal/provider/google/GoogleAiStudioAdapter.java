package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.spi.Attempt;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The Gemini Developer API (Google AI Studio keys): {@code POST {base_url}/models/{model}:generateContent} and
 * {@code :streamGenerateContent?alt=sse}, with the key in the {@code x-goog-api-key} header (never in the URL, so it
 * cannot end up in access logs). {@code base_url} defaults to {@code https://generativelanguage.googleapis.com/v1beta}.
 */
public final class GoogleAiStudioAdapter extends GeminiAdapter {

    public GoogleAiStudioAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        super(transport, json, clock);
    }

    @Override
    public String provider() {
        return ProviderCatalog.GOOGLE_AI_STUDIO;
    }

    /** Also rejects Cloud Storage URIs, which only Vertex reads; AI Studio takes files uploaded to its Files API. */
    @Override
    public void checkSupported(ChatRequest request) {
        super.checkSupported(request);
        for (ChatMessage message : request.messages()) {
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.FileRef file && file.fileUri().startsWith("gs://")) {
                    throw new IllegalArgumentException(provider() + " cannot read gs:// file URIs (only google_vertex"
                            + " can); upload the file with the Gemini Files API and pass its URI");
                }
            }
        }
    }

    @Override
    protected URI methodUrl(Attempt attempt, String method) {
        return URI.create(
                stripSlash(attempt.settings().baseUrl().toString()) + "/models/" + modelId(attempt) + ":" + method);
    }

    @Override
    protected Map<String, String> authHeaders(Attempt attempt, Duration timeout) {
        return Map.of("x-goog-api-key", attempt.secret());
    }
}
