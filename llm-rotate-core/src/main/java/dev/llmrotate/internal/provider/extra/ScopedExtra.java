package dev.llmrotate.internal.provider.extra;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ChatRequest.extra} entries for one wire format. An entry named plainly ({@code seed}) goes to every
 * provider; one named with a format's scope ({@code openai:seed}, {@code anthropic:metadata}, {@code gemini:...},
 * {@code bedrock:...}) goes, without the scope, only to the providers that speak that format and is left out for the
 * others. So a caller (the gateway, passing an OpenAI client's unknown fields on) can send a field where it means
 * something without breaking a fallback to a provider that would refuse it.
 */
public final class ScopedExtra {
    /** OpenAI's Chat Completions format: {@code openai}, {@code azure_openai}, {@code openrouter}. */
    public static final String OPENAI = "openai";

    /** Anthropic's Messages format. */
    public static final String ANTHROPIC = "anthropic";

    /** Gemini's generateContent format: {@code google_ai_studio}, {@code google_vertex}. */
    public static final String GEMINI = "gemini";

    /** Bedrock's Converse format. */
    public static final String BEDROCK = "bedrock";

    private ScopedExtra() {}

    /** The entries {@code format} sends: plain ones as they are, its own scoped ones without the scope. */
    public static Map<String, Object> forFormat(Map<String, Object> extra, String format) {
        boolean scoped = false;
        for (String name : extra.keySet()) {
            if (name.indexOf(':') > 0) {
                scoped = true;
                break;
            }
        }
        if (!scoped) {
            return extra; // the usual case: nothing to sort out, nothing allocated
        }
        Map<String, Object> mine = new LinkedHashMap<>();
        extra.forEach((name, value) -> {
            int colon = name.indexOf(':');
            if (colon <= 0) {
                mine.put(name, value);
            } else if (name.regionMatches(0, format, 0, colon) && colon == format.length()) {
                mine.put(name.substring(colon + 1), value);
            }
        });
        return mine;
    }

    /** The field an entry sets, without its scope: {@code openai:seed} is {@code seed}. */
    public static String field(String name) {
        int colon = name.indexOf(':');
        return colon <= 0 ? name : name.substring(colon + 1);
    }
}
