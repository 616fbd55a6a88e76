package dev.llmrotate.redis;

import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderReply;

/** An OpenAI adapter that answers every attempt at once without I/O: 10 prompt and 5 completion tokens. */
final class InProcessAdapter implements ProviderAdapter {
    static final ProviderReply REPLY = new ProviderReply("hi", FinishReason.STOP, Usage.of(10, 5), null, "r-1");

    @Override
    public String provider() {
        return "openai";
    }

    @Override
    public ProviderReply send(Attempt attempt) {
        return REPLY;
    }
}
