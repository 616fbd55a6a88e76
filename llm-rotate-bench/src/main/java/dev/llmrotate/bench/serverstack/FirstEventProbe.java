package dev.llmrotate.bench.serverstack;

import java.io.IOException;
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
public final class FirstEventProbe extends SocketProbe {
    FirstEventProbe(int port) throws IOException {
        super(port, Payloads.CHAT_STREAM_REQUEST, "Accept: text/event-stream\r\n");
    }

    /** Runs {@code calls} streamed calls and returns each one's time to first event, in nanoseconds, sorted. */
    long[] measure(int calls) throws IOException {
        long[] nanos = measureInOrder(calls);
        Arrays.sort(nanos);
        return nanos;
    }

    @Override
    long oneCall() throws IOException {
        long start = send();
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
