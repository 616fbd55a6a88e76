package dev.llmrotate.chat;

import java.util.Arrays;
import java.util.Objects;

/**
 * One part of a message's content: text, an inline image or PDF, a reference to an uploaded file, or (in assistant
 * messages) the model's reasoning.
 */
public sealed interface ContentPart {

    /**
     * Plain text.
     *
     * @param text the text, possibly empty
     */
    record Text(String text) implements ContentPart {
        /**
         * Checks the text.
         *
         * @param text the text, not null
         */
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * Inline image bytes with their MIME type, e.g. {@code image/png}.
     *
     * @param data the image file's bytes
     * @param mimeType the image's MIME type, e.g. {@code image/png} or {@code image/jpeg}
     */
    record ImageBytes(byte[] data, String mimeType) implements ContentPart {
        /**
         * Copies the bytes.
         *
         * @param data the image file's bytes, not null
         * @param mimeType the image's MIME type, not null
         */
        public ImageBytes {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(mimeType, "mimeType");
            data = data.clone();
        }

        /**
         * The image file's bytes.
         *
         * @return a copy of the bytes
         */
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

    /**
     * Inline PDF bytes (Anthropic, Google, Bedrock).
     *
     * @param data the PDF file's bytes
     * @param mimeType the MIME type, normally {@code application/pdf}
     */
    record PdfBytes(byte[] data, String mimeType) implements ContentPart {
        /**
         * Copies the bytes.
         *
         * @param data the PDF file's bytes, not null
         * @param mimeType the MIME type; null for {@code application/pdf}
         */
        public PdfBytes {
            Objects.requireNonNull(data, "data");
            mimeType = mimeType == null ? "application/pdf" : mimeType;
            data = data.clone();
        }

        /**
         * The PDF file's bytes.
         *
         * @return a copy of the bytes
         */
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

    /**
     * A previously uploaded file, by URI (Google providers).
     *
     * @param fileUri the file's URI, e.g. a Gemini Files API URI or a {@code gs://} object on Vertex
     * @param mimeType the file's MIME type
     */
    record FileRef(String fileUri, String mimeType) implements ContentPart {
        /**
         * Checks that both are set.
         *
         * @param fileUri the file's URI, not null
         * @param mimeType the file's MIME type, not null
         */
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
        /**
         * Checks the text.
         *
         * @param text the reasoning text, not null
         * @param signature the provider's signature, or null
         * @param origin the id of the provider that produced it, or null
         */
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
        /**
         * Checks the data.
         *
         * @param data the encrypted reasoning, not null
         * @param origin the id of the provider that produced it, or null
         */
        public RedactedReasoning {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public String toString() {
            return "RedactedReasoning[" + origin + ", " + data.length() + " chars]";
        }
    }

    /**
     * A text part.
     *
     * @param text the text, not null
     * @return the part
     */
    static ContentPart text(String text) {
        return new Text(text);
    }

    /**
     * An inline image.
     *
     * @param data the image file's bytes, copied
     * @param mimeType the image's MIME type, e.g. {@code image/png}
     * @return the part
     */
    static ContentPart image(byte[] data, String mimeType) {
        return new ImageBytes(data, mimeType);
    }

    /**
     * An inline PDF ({@code application/pdf}).
     *
     * @param data the PDF file's bytes, copied
     * @return the part
     */
    static ContentPart pdf(byte[] data) {
        return new PdfBytes(data, "application/pdf");
    }

    /**
     * A previously uploaded file, e.g. a Gemini Files API URI or a {@code gs://} object on Vertex.
     *
     * @param fileUri the file's URI
     * @param mimeType the file's MIME type, e.g. {@code application/pdf}
     * @return the part
     */
    static ContentPart file(String fileUri, String mimeType) {
        return new FileRef(fileUri, mimeType);
    }
}
