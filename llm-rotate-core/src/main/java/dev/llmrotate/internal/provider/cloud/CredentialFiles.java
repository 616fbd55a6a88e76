package dev.llmrotate.internal.provider.cloud;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Reads credential files (JSON key files, AWS profile files, token files) with a size limit, and keeps deadlines. */
public final class CredentialFiles {
    /** The largest credential file read. */
    public static final int MAX_FILE_BYTES = 256 * 1024;

    private CredentialFiles() {}

    /**
     * The file's text, or null when it does not exist.
     *
     * @param what the file's role, for messages ({@code "the gcloud credentials file"})
     * @throws ProviderException {@code invalid_auth} naming the file (never its content) when it is not a regular
     *     file, too large or unreadable
     */
    public static String readIfExists(Path path, String what) {
        if (!Files.exists(path)) {
            return null;
        }
        if (!Files.isRegularFile(path)) {
            // A FIFO or a device would block the call.
            throw invalid(what + " " + path + " is not a regular file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw invalid(what + " " + path + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw invalid(what + " " + path + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /** The file's text; a missing file is an error naming it. */
    public static String read(Path path, String what) {
        String text = readIfExists(path, what);
        if (text == null) {
            throw invalid(what + " " + path + " does not exist");
        }
        return text;
    }

    /** A path from configuration or the environment; a malformed one is an error naming its origin. */
    public static Path path(String value, String what) {
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw invalid(what + " is not a valid path");
        }
    }

    public static ProviderException invalid(String message) {
        return new ProviderException(ErrorType.INVALID_AUTH, null, null, message);
    }

    /** A deadline for a chain of fetches. */
    public record Deadline(long endNanos, Duration total) {
        public static Deadline in(Duration timeout) {
            return new Deadline(System.nanoTime() + timeout.toNanos(), timeout);
        }

        /** The time left; {@code timeout} once none is. */
        public Duration left() {
            long left = endNanos - System.nanoTime();
            if (left <= 0) {
                throw new ProviderException(ErrorType.TIMEOUT, null, null, "no credentials within " + total);
            }
            return Duration.ofNanos(left);
        }
    }
}
