package dev.llmrotate.testkit;

import java.nio.charset.StandardCharsets;

/** Server-sent event framing. */
final class Sse {

    private Sse() {}

    /** {@code data: <data>} and a blank line, with this line ending. */
    static byte[] data(String data, String newline) {
        return ("data: " + data + newline + newline).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code event: <name>}, {@code data: <data>} and a blank line, {@code \n} line endings. */
    static byte[] event(String name, String data) {
        return ("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
