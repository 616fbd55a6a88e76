package dev.llmrotate.internal.provider.openrouter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.internal.provider.openai.OpenAiAdapter;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * OpenRouter: the OpenAI format through a broker. A fallback entry's {@code upstream} pins the backend with
 * OpenRouter's provider routing ({@code order} of one slug, {@code allow_fallbacks: false}), so the broker never
 * falls back on its own; llm-rotate's chain decides. "No endpoints" answers are {@code broker_route_unavailable}.
 *
 * <p>Reasoning controls use OpenRouter's {@code reasoning} object
 * (https://openrouter.ai/docs/use-cases/reasoning-tokens): a reasoning effort is {@code {"effort": …}}, a thinking
 * budget {@code {"max_tokens": n}}, 0 {@code {"enabled": false}} and -1 {@code {"enabled": true}} (the model's
 * default amount); one or the other, not both. The answer's reasoning text comes in {@code message.reasoning}.
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
    protected void checkReasoningControls(ChatRequest request) {
        if (request.reasoningEffort() != null && request.thinkingBudget() != null) {
            throw new IllegalArgumentException("openrouter takes a reasoning effort or a thinking budget, not both");
        }
        if (request.reasoningEffort() == ReasoningEffort.MAX) {
            throw new IllegalArgumentException("reasoningEffort MAX is not supported by openrouter, whose"
                    + " reasoning.effort goes from none to xhigh");
        }
    }

    @Override
    protected void addReasoningControls(ObjectNode root, ChatRequest request) {
        if (request.reasoningEffort() != null) {
            root.putObject("reasoning").put("effort", request.reasoningEffort().wireName());
        } else if (request.thinkingBudget() != null) {
            int budget = request.thinkingBudget();
            ObjectNode reasoning = root.putObject("reasoning");
            if (budget > 0) {
                reasoning.put("max_tokens", budget);
            } else {
                reasoning.put("enabled", budget != 0);
            }
        }
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
