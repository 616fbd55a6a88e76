package dev.llmrotate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Reads server-sent events from a live response body, one event at a time, as a streaming client would.
 *
 * <p>Lines are pushed by the JDK client as they arrive (a line subscriber), and every line received before a
 * connection failure is delivered before the failure. ({@code BodyHandlers.ofInputStream()} is not used: once the
 * connection fails, its stream throws at once and drops the bytes it had already received but not yet handed out,
 * which would make what a test sees before a cut depend on timing.)
 */
final class SseReader implements AutoCloseable {

    /** One event: its {@code event:} name ({@code null} if none) and its {@code data:} lines joined by newlines. */
    record Event(String name, String data) {
        JsonNode json() {
            try {
                return TestClient.JSON.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + data, e);
            }
        }

        boolean isJson() {
            try {
                TestClient.JSON.readTree(data);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static final Object END = new Object();

    private final BlockingQueue<Object> lines;
    private final HttpResponse<Void> response;
    private final Flow.Subscription[] subscription;
    private IOException failure;
    private boolean ended;

    private SseReader(BlockingQueue<Object> lines, HttpResponse<Void> response, Flow.Subscription[] subscription) {
        this.lines = lines;
        this.response = response;
        this.subscription = subscription;
    }

    /** Sends the request and returns as soon as the status and headers have arrived. */
    static SseReader open(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
        Flow.Subscription[] subscription = new Flow.Subscription[1];
        Flow.Subscriber<String> lineSubscriber = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription[0] = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                lines.add(line);
            }

            @Override
            public void onError(Throwable error) {
                lines.add(error);
            }

            @Override
            public void onComplete() {
                lines.add(END);
            }
        };
        HttpResponse.BodyHandler<Void> handler = info -> {
            HttpResponse.BodySubscriber<Void> inner = HttpResponse.BodySubscribers.fromLineSubscriber(
                    lineSubscriber, s -> null, StandardCharsets.UTF_8, null);
            return new HttpResponse.BodySubscriber<>() {
                @Override
                public CompletionStage<Void> getBody() {
                    return CompletableFuture.completedFuture(null); // hand out the response at the headers
                }

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    inner.onSubscribe(s);
                }

                @Override
                public void onNext(List<ByteBuffer> item) {
                    inner.onNext(item);
                }

                @Override
                public void onError(Throwable throwable) {
                    inner.onError(throwable);
                }

                @Override
                public void onComplete() {
                    inner.onComplete();
                }
            };
        };
        try {
            return new SseReader(lines, http.sendAsync(request, handler).get(), subscription);
        } catch (ExecutionException e) {
            if (subscription[0] != null && e.getCause() instanceof IOException) {
                // The body broke so soon that the client failed the response itself; the lines received before
                // the break are queued all the same, followed by the failure.
                lines.add(e.getCause());
                return new SseReader(lines, null, subscription);
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The response; {@code null} if the client failed it because its body broke right after the headers. */
    HttpResponse<Void> response() {
        return response;
    }

    private String nextLine() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = lines.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (item == END) {
            ended = true;
            return null;
        }
        if (item instanceof Throwable error) {
            failure = error instanceof IOException io ? io : new IOException(error);
            throw failure;
        }
        return (String) item;
    }

    /** The next raw line (comments included), blocking until it has arrived; {@code null} at the clean end. */
    String line() throws IOException {
        return nextLine();
    }

    /** The next event, blocking until it has arrived; {@code null} at the clean end of the body. */
    Event next() throws IOException {
        String name = null;
        List<String> data = new ArrayList<>();
        String line;
        while ((line = nextLine()) != null) {
            if (line.isEmpty()) {
                if (name != null || !data.isEmpty()) {
                    return new Event(name, String.join("\n", data));
                }
                continue;
            }
            if (line.startsWith("event:")) {
                name = line.substring("event:".length()).trim();
            } else if (line.startsWith("data:")) {
                data.add(line.substring("data:".length()).stripLeading());
            }
        }
        if (name != null || !data.isEmpty()) {
            throw new IOException("body ended inside an event: " + data);
        }
        return null;
    }

    /** Every remaining event until the clean end of the body. */
    List<Event> rest() throws IOException {
        List<Event> events = new ArrayList<>();
        Event event;
        while ((event = next()) != null) {
            events.add(event);
        }
        return events;
    }

    /** Reads events into {@code sink} until the body ends or fails; returns the failure, or {@code null}. */
    IOException drainInto(List<Event> sink) {
        try {
            Event event;
            while ((event = next()) != null) {
                sink.add(event);
            }
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** Stops receiving the body. */
    @Override
    public void close() {
        if (subscription[0] != null) {
            subscription[0].cancel();
        }
    }
}
