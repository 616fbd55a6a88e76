package dev.llmrotate.bench.serverstack;

import java.nio.charset.StandardCharsets;

/** The fixed bodies every candidate serves and forwards, so that all stacks move the same bytes. */
final class Payloads {
    static final String CHAT_PATH = "/v1/chat/completions";
    static final String HEALTH_PATH = "/health";
    static final String JSON = "application/json";
    static final String EVENT_STREAM = "text/event-stream";
    /** Largest request body a candidate buffers; the gateway would cap it the same way. */
    static final int MAX_BODY = 1 << 20;

    /** About 300 bytes, the size of a small control-server answer. */
    static final byte[] HEALTH = ascii("{\"status\":\"ok\",\"version\":\"0.1.0-SNAPSHOT\",\"uptime_seconds\":86400,"
            + "\"store\":\"memory\",\"providers\":[{\"name\":\"openai\",\"keys\":3,\"active\":3,\"cooldown\":0},"
            + "{\"name\":\"anthropic\",\"keys\":2,\"active\":1,\"cooldown\":1},"
            + "{\"name\":\"google\",\"keys\":2,\"active\":2,\"cooldown\":0}],"
            + "\"calls_total\":987654,\"errors_total\":321,\"events_buffered\":1000}");

    static final byte[] CHAT_REQUEST = chatRequest(false);
    static final byte[] CHAT_STREAM_REQUEST = chatRequest(true);

    /** What the fake upstream answers to a non-streamed chat call: an OpenAI chat completion. */
    static final byte[] CHAT_RESPONSE = ascii("{\"id\":\"chatcmpl-bench0001\",\"object\":\"chat.completion\","
            + "\"created\":1767225600,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"Key rotation spreads calls over several API keys so "
            + "that one rate-limited key does not stop the application.\",\"refusal\":null},"
            + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":240,"
            + "\"completion_tokens\":24,\"total_tokens\":264},\"system_fingerprint\":\"fp_bench\"}");

    /** One streamed chunk; the fake upstream sends {@link #STREAM_EVENTS} of them, then {@link #STREAM_DONE}. */
    static final byte[] STREAM_EVENT =
            ascii("data: {\"id\":\"chatcmpl-bench0001\",\"object\":\"chat.completion.chunk\","
                    + "\"created\":1767225600,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n");

    static final byte[] STREAM_DONE = ascii("data: [DONE]\n\n");
    static final int STREAM_EVENTS = 5;
    private static final byte[] STREAM_FLAG = ascii("\"stream\":true");

    private Payloads() {}

    /** A stand-in for parsing the request: the gateway relays a stream when the body asks for one. */
    static boolean isStream(byte[] body) {
        outer:
        for (int i = 0; i <= body.length - STREAM_FLAG.length; i++) {
            for (int j = 0; j < STREAM_FLAG.length; j++) {
                if (body[i + j] != STREAM_FLAG[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** A chat request of exactly 1,024 bytes: a system and a user message, the user's padded with prose. */
    private static byte[] chatRequest(boolean stream) {
        String head = "{\"model\":\"gpt-4o-mini\",\"stream\":" + stream + ",\"temperature\":0.2,\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"";
        String tail = "\"}]}";
        StringBuilder text = new StringBuilder();
        String sentence = "Explain why an API gateway rotates keys when one of them is rate limited. ";
        while (head.length() + text.length() + tail.length() < 1024) {
            text.append(sentence);
        }
        text.setLength(1024 - head.length() - tail.length());
        return ascii(head + text + tail);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
