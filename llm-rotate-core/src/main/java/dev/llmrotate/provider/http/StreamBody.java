package dev.llmrotate.provider.http;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.provider.ProviderException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A streamed response body with a deadline on every read. The JDK client stops timing a response once its headers
 * arrive, so a watchdog closes the body when a read waits too long; the blocked read then fails and is reported as
 * {@link ErrorType#TIMEOUT}. Other I/O failures are {@link ErrorType#STREAM_INTERRUPTED}. Read by one thread;
 * {@link #close()} may come from any thread.
 */
public final class StreamBody implements AutoCloseable {
    private final InputStream in;
    private final ScheduledExecutorService watchdog;
    private volatile boolean timedOut;
    private volatile boolean closed;
    private byte[] line = new byte[256];

    StreamBody(InputStream in, ScheduledExecutorService watchdog) {
        this.in = new BufferedInputStream(in, 8192);
        this.watchdog = watchdog;
    }

    /** The next line (UTF-8, without its line break), or null at the end of the body. */
    public String readLine(Duration timeout) {
        ScheduledFuture<?> alarm = arm(timeout);
        try {
            int length = 0;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return length == 0 ? null : decode(length);
                }
                if (b == '\n') {
                    return decode(length);
                }
                if (length == line.length) {
                    line = Arrays.copyOf(line, length * 2);
                }
                line[length++] = (byte) b;
            }
        } catch (IOException e) {
            throw failure(e, timeout);
        } finally {
            alarm.cancel(false);
        }
    }

    /** Reads up to {@code length} bytes, fewer only at the end of the body; returns how many were read. */
    public int readFully(byte[] buffer, int offset, int length, Duration timeout) {
        ScheduledFuture<?> alarm = arm(timeout);
        try {
            int total = 0;
            while (total < length) {
                int n = in.read(buffer, offset + total, length - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw failure(e, timeout);
        } finally {
            alarm.cancel(false);
        }
    }

    private String decode(int length) {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return new String(line, 0, end, StandardCharsets.UTF_8);
    }

    private ScheduledFuture<?> arm(Duration timeout) {
        return watchdog.schedule(
                () -> {
                    timedOut = true;
                    close();
                },
                Math.max(1, timeout.toNanos()),
                TimeUnit.NANOSECONDS);
    }

    private ProviderException failure(IOException e, Duration timeout) {
        if (timedOut) {
            return new ProviderException(ErrorType.TIMEOUT, null, null, "stream silent for " + timeout);
        }
        if (closed) {
            return new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "stream closed");
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "stream broke: " + detail);
    }

    /** Releases the connection. */
    @Override
    public void close() {
        closed = true;
        try {
            in.close();
        } catch (IOException ignored) {
            // closing a broken connection can fail; it is released either way
        }
    }
}
