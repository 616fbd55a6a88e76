package dev.llmrotate.server.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The generator side of the wire format: one shared {@link JsonFactory} whose generators write straight into the
 * caller's stream (a Netty buffer's, say) through Jackson's recycled buffers, and leave that stream open.
 */
final class WireJson {
    static final JsonFactory FACTORY =
            JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

    /** Writes one JSON value with a generator. */
    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator json) throws IOException;
    }

    private WireJson() {}

    /** Writes the value into {@code out} and flushes the generator (not {@code out}'s own buffers). */
    static void write(OutputStream out, Writer writer) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            writer.write(json);
        }
    }

    /** The bytes of what {@code writer} writes (for tests and small answers; a server writes into its buffers). */
    static byte[] bytes(int sizeHint, IoWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return out.toByteArray();
    }

    /** Writes into a stream. */
    @FunctionalInterface
    interface IoWriter {
        void write(OutputStream out) throws IOException;
    }
}
