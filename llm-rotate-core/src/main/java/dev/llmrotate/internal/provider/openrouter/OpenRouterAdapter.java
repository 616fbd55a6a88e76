package dev.llmrotate.internal.provider.openrouter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpResult;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.internal.provider.openai.OpenAiAdapter;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * OpenRouter: the OpenAI format through a broker. A fallback entry's {@code upstream} pins the backend with
 * OpenRouter's provider routing ({@code order} of one slug, {@code allow_fallbacks: false}), so the broker never
 * falls back on its own; llm-rotate's chain decides. "No endpoints" answers are {@code broker_route_unavailable}.
 */
public final class OpenRouterAdapter extends OpenAiAdapter {
    /** llm-rotate provider ids to OpenRouter provider slugs. */
    private static final Map<String, String> SLUGS = Map.of(
            ProviderCatalog.OPENAI, "openai",
            ProviderCatalog.ANTHROPIC, "anthropic",
            ProviderCatalog.GOOGLE_AI_STUDIO, "google-ai-studio",
            ProviderCatalog.GOOGLE_VERTEX, "google-vertex",
            ProviderCatalog.AZURE_OPENAI, "azure",
            ProviderCatalog.AWS_BEDROCK, "amazon-bedrock");

    public OpenRouterAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        super(transport, json, clock);
    }

    /** OpenRouter passes a trailing assistant message on as a prefill to models that take one. */
    @Override
    public boolean continuesPrefill() {
        return true;
    }

    @Override
    public String provider() {
        return ProviderCatalog.OPENROUTER;
    }

    @Override
    protected ObjectNode requestJson(Attempt attempt) {
        ObjectNode root = super.requestJson(attempt);
        if (attempt.upstream() != null) {
            ObjectNode routing = root.putObject("provider");
            routing.putArray("order").add(SLUGS.getOrDefault(attempt.upstream(), attempt.upstream()));
            routing.put("allow_fallbacks", false);
        }
        return root;
    }

    @Override
    protected String maxTokensField() {
        return "max_tokens";
    }

    @Override
    protected ProviderException classify(HttpResult response, ProviderException classified) {
        String body = response.body() == null ? "" : response.body().toLowerCase(Locale.ROOT);
        boolean noRoute = body.contains("no endpoints found")
                || body.contains("no allowed providers")
                || body.contains("no available providers");
        if (noRoute && (response.status() == 404 || response.status() == 400 || response.status() >= 500)) {
            return new ProviderException(
                    ErrorType.BROKER_ROUTE_UNAVAILABLE, response.status(), null, classified.getMessage());
        }
        return classified;
    }
}
