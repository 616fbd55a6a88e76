package dev.llmrotate.internal.provider.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.internal.provider.openai.OpenAiAdapter;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/**
 * Azure OpenAI: the OpenAI Chat Completions format at
 * {@code {azure_endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…} with an {@code api-key}
 * header. Per key, {@code auth_config} gives {@code azure_endpoint} (required), {@code api_version} (default
 * {@value #DEFAULT_API_VERSION}, the data-plane inference GA release) and the deployment: {@code deployments} (a map
 * from model id to deployment name), else {@code deployment}, else the model id itself. Azure's
 * {@code retry-after-ms} and {@code x-ms-retry-after-ms} hints are honoured like OpenAI's.
 */
public final class AzureOpenAiAdapter extends OpenAiAdapter {
    public static final String DEFAULT_API_VERSION = "2024-10-21";

    public AzureOpenAiAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        super(transport, json, clock);
    }

    @Override
    public String provider() {
        return ProviderCatalog.AZURE_OPENAI;
    }

    @Override
    protected URI chatUrl(Attempt attempt) {
        KeySpec key = attempt.key();
        Object endpoint = key.authConfig().get("azure_endpoint");
        if (!(endpoint instanceof String text) || text.isBlank()) {
            throw new ProviderException(
                    ErrorType.INVALID_REQUEST, null, null, "key " + key.keyId() + " needs auth_config.azure_endpoint");
        }
        Object version = key.authConfig().getOrDefault("api_version", DEFAULT_API_VERSION);
        return URI.create(stripSlash(text.strip()) + "/openai/deployments/" + encode(deployment(key, attempt.model()))
                + "/chat/completions?api-version=" + encode(String.valueOf(version)));
    }

    /** The deployment serving {@code model} for this key. */
    static String deployment(KeySpec key, String model) {
        Object deployments = key.authConfig().get("deployments");
        if (deployments instanceof Map<?, ?> byModel && byModel.get(model) != null) {
            return String.valueOf(byModel.get(model));
        }
        Object single = key.authConfig().get("deployment");
        return single != null ? String.valueOf(single) : model;
    }

    @Override
    protected Map<String, String> authHeaders(Attempt attempt) {
        return Map.of("api-key", attempt.secret());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
