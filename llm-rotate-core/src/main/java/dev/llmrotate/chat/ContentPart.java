package dev.llmrotate.chat;

import java.util.Arrays;
import java.util.Objects;

/**
 * One part of a message's content: text, an inline image or PDF, a reference to an uploaded file, or (in assistant
 * messages) the model's reasoning.
 */
public sealed interface ContentPart {

    /** Plain text. */
    record Text(String text) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Inline image bytes with their MIME type, e.g. {@code image/png}. */
    record ImageBytes(byte[] data, String mimeType) implements ContentPart {
        public ImageBytes {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(mimeType, "mimeType");
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ImageBytes other && other.mimeType.equals(mimeType) && Arrays.equals(other.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(data) + mimeType.hashCode();
        }

        @Override
        public String toString() {
            return "ImageBytes[" + mimeType + ", " + data.length + " bytes]";
        }
    }

    /** Inline PDF bytes (Anthropic, Google, Bedrock). */
    record PdfBytes(byte[] data, String mimeType) implements ContentPart {
        public PdfBytes {
            Objects.requireNonNull(data, "data");
            mimeType = mimeType == null ? "application/pdf" : mimeType;
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PdfBytes other && other.mimeType.equals(mimeType) && Arrays.equals(other.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(data) + mimeType.hashCode();
        }

        @Override
        public String toString() {
            return "PdfBytes[" + mimeType + ", " + data.length + " bytes]";
        }
    }

    /** A previously uploaded file, by URI (Google providers). */
    record FileRef(String fileUri, String mimeType) implements ContentPart {
        public FileRef {
            Objects.requireNonNull(fileUri, "fileUri");
            Objects.requireNonNull(mimeType, "mimeType");
        }
    }

    /**
     * The model's reasoning (Anthropic {@code thinking}, Gemini thought summaries, OpenRouter {@code reasoning}), in an
     * assistant message, apart from the answer's text. Replies carry it in {@link ChatResponse#reasoning()}, and
     * {@link ChatResponse#message()} keeps it, so that appending that message sends it back on the next turn.
     *
     * <p>A provider receives back only reasoning it produced itself ({@code origin}), with its signature: another
     * provider can neither read nor verify it, so its adapter leaves it out. Reasoning without a signature is for
     * display and is not sent back.
     *
     * @param text the reasoning text, possibly empty (a summary the provider left out)
     * @param signature the provider's signature over the reasoning, which it verifies when it gets the reasoning
     *     back (Anthropic {@code signature}); null when there is none
     * @param origin the id of the provider that produced it, e.g. {@code anthropic}; null when unknown
     */
    record Reasoning(String text, String signature, String origin) implements ContentPart {
        public Reasoning {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * Reasoning the provider returned encrypted (Anthropic {@code redacted_thinking}): not readable, but sent back
     * to the same provider like {@link Reasoning}.
     *
     * @param data the encrypted reasoning, opaque
     * @param origin the id of the provider that produced it
     */
    record RedactedReasoning(String data, String origin) implements ContentPart {
        public RedactedReasoning {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public String toString() {
            return "RedactedReasoning[" + origin + ", " + data.length() + " chars]";
        }
    }

    static ContentPart text(String text) {
        return new Text(text);
    }

    static ContentPart image(byte[] data, String mimeType) {
        return new ImageBytes(data, mimeType);
    }

    /** An inline PDF ({@code application/pdf}). */
    static ContentPart pdf(byte[] data) {
        return new PdfBytes(data, "application/pdf");
    }

    /** A previously uploaded file, e.g. a Gemini Files API URI or a {@code gs://} object on Vertex. */
    static ContentPart file(String fileUri, String mimeType) {
        return new FileRef(fileUri, mimeType);
    }
}
