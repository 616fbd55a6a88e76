package dev.llmrotate.internal.provider.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.spi.Attempt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;

/** The OpenAI adapter's request body for a request, without HTTP: what a benchmark of the JSON mapping needs. */
public final class OpenAiBodyProbe extends OpenAiAdapter {
    private static final KeySpec KEY = KeySpec.builder("probe", "openai")
            .secretRef("literal://probe")
            .models("gpt-4o-mini")
            .build();
    private final ObjectMapper json;

    public OpenAiBodyProbe(ObjectMapper json) {
        super(null, json, Clock.systemUTC());
        this.json = json;
    }

    /** The body bytes the adapter would send for {@code request}. */
    public byte[] body(ChatRequest request) {
        try {
            return json.writeValueAsBytes(requestJson(new Attempt(
                    request, KEY, "probe", ProviderCatalog.defaults("openai"), null, Duration.ofSeconds(30))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
