package dev.llmrotate.bench.serverstack;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Time to the first SSE event of a streamed chat call, on one kept-alive connection with a hand-written HTTP/1.1
 * client (so the client adds as little as possible): from writing the request to reading the blank line that ends
 * the first event. Each call is read to its end, and the event count checked, before the next starts.
 *
 * <pre>
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.serverstack.FirstEventProbe &lt;port&gt; [calls]
 * </pre>
 */
public final class FirstEventProbe implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_LINE = 8192;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] request;

    FirstEventProbe(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
        byte[] head = ("POST " + Payloads.CHAT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: "
                        + Payloads.CHAT_STREAM_REQUEST.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        request = Arrays.copyOf(head, head.length + Payloads.CHAT_STREAM_REQUEST.length);
        System.arraycopy(Payloads.CHAT_STREAM_REQUEST, 0, request, head.length, Payloads.CHAT_STREAM_REQUEST.length);
    }

    /** Runs {@code calls} streamed calls and returns each one's time to first event, in nanoseconds, sorted. */
    long[] measure(int calls) throws IOException {
        long[] nanos = measureInOrder(calls);
        Arrays.sort(nanos);
        return nanos;
    }

    /** Runs {@code calls} streamed calls and returns each one's time to first event, in nanoseconds, as measured. */
    long[] measureInOrder(int calls) throws IOException {
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            nanos[i] = oneCall();
        }
        return nanos;
    }

    private long oneCall() throws IOException {
        long start = System.nanoTime();
        out.write(request);
        out.flush();
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("expected HTTP/1.1 200, got '" + status + "'");
        }
        boolean chunked = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            chunked |= line.toLowerCase(Locale.ROOT).equals("transfer-encoding: chunked");
        }
        if (!chunked) {
            throw new IOException("expected a chunked event stream");
        }
        long firstEvent = -1;
        int events = 0;
        int previous = -1;
        for (int size = Integer.parseInt(readLine().split(";", 2)[0].trim(), 16);
                size > 0;
                size = Integer.parseInt(readLine().split(";", 2)[0].trim(), 16)) {
            for (int i = 0; i < size; i++) {
                int b = readByte();
                if (b == '\n' && previous == '\n') {
                    events++;
                    if (firstEvent < 0) {
                        firstEvent = System.nanoTime();
                    }
                }
                previous = b;
            }
            readLine(); // CRLF after the chunk
        }
        while (!readLine().isEmpty()) {
            // trailers
        }
        // The fake upstream sends its chunks and [DONE]; the gateway may add its own closing chunk.
        if (events < Payloads.STREAM_EVENTS + 1 || previous != '\n') {
            throw new IOException("expected at least " + (Payloads.STREAM_EVENTS + 1) + " events, got " + events);
        }
        return firstEvent - start;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("server closed the connection mid-response");
        }
        return b;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int b = readByte(); b != '\n'; b = readByte()) {
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Prints p50 and p99 of the time to first event against {@code port}. */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        try (FirstEventProbe probe = new FirstEventProbe(port)) {
            probe.measure(calls / 3);
            long[] nanos = probe.measure(calls);
            System.out.printf(
                    Locale.ROOT,
                    "first event p50 %d us, p99 %d us (%d calls)%n",
                    percentile(nanos, 50) / 1000,
                    percentile(nanos, 99) / 1000,
                    calls);
        }
    }

    static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }
}
