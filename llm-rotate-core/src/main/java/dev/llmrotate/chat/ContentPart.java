package dev.llmrotate.chat;

import java.util.Arrays;
import java.util.Objects;

/** One part of a message's content: text, an inline image or PDF, or a reference to an uploaded file. */
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
