package dev.llmrotate.error;

import java.util.Collection;
import java.util.TreeSet;

/**
 * No active key lists the requested model (or none of the pinned provider's keys does): the request names a model
 * this configuration does not serve. No attempt was made. Error type {@link ErrorType#INVALID_REQUEST}; maps to
 * HTTP 404 when llm-rotate sits behind a service.
 *
 * <p>The message shows the model id with control characters escaped and cut to {@value #SHOWN_MODEL_LENGTH}
 * characters: callers may send anything as a model id. {@link #model()} returns it as sent.
 */
public class UnknownModelException extends LlmRotateException {
    private static final long serialVersionUID = 1L;

    /** The longest part of the model id shown in the message. */
    public static final int SHOWN_MODEL_LENGTH = 200;

    /** The requested model id, as sent. */
    private final String model;

    /**
     * @param model the requested model id
     * @param pinnedProvider the provider the call was pinned to, or null when the provider was to be inferred
     * @param servedModels the models that are served (by the pinned provider's active keys, or by any active key)
     */
    public UnknownModelException(String model, String pinnedProvider, Collection<String> servedModels) {
        super(message(model, pinnedProvider, servedModels), null, ErrorType.INVALID_REQUEST, null);
        this.model = model;
    }

    /**
     * The requested model id, as the caller sent it.
     *
     * @return the model id, unescaped and uncut
     */
    public String model() {
        return model;
    }

    private static String message(String model, String pinnedProvider, Collection<String> servedModels) {
        String served = new TreeSet<>(servedModels).toString();
        if (pinnedProvider == null) {
            return "unknown model " + shown(model) + ": no active key lists it; known models: " + served;
        }
        return "no active key of provider '" + pinnedProvider + "' lists model " + shown(model) + "; its keys serve "
                + served;
    }

    /** The model id in quotes, control characters escaped, cut to {@link #SHOWN_MODEL_LENGTH} characters. */
    private static String shown(String model) {
        if (model == null) {
            return "null";
        }
        int end = Math.min(model.length(), SHOWN_MODEL_LENGTH);
        if (end < model.length() && Character.isHighSurrogate(model.charAt(end - 1))) {
            end--; // do not split a surrogate pair
        }
        StringBuilder out = new StringBuilder(end + 32).append('\'');
        for (int i = 0; i < end; i++) {
            char c = model.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('\'');
        if (end < model.length()) {
            out.append("… (").append(model.length()).append(" characters)");
        }
        return out.toString();
    }
}
