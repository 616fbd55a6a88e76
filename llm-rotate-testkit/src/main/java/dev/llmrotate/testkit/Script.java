package dev.llmrotate.testkit;

import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * How a fake server answers the requests one selector matches ({@code forKey}, {@code forModel}, {@code
 * forKeyAndModel} or {@code byDefault} of {@link FakeOpenAiServer}, {@link FakeAnthropicServer} or {@link
 * FakeGeminiServer}).
 *
 * <p>For each matching request the script answers with, in this order:
 *
 * <ol>
 *   <li>the oldest response queued by {@link #next} that no request has taken yet (each is used exactly once, also
 *       when requests arrive concurrently);
 *   <li>otherwise its standing behaviour: the response set by {@link #always} or the result of the function set by
 *       {@link #respond}, whichever was set last.
 * </ol>
 *
 * <p>A script with nothing queued and no standing behaviour, or whose responder returns {@code null}, has no answer,
 * and the request falls through to the next, less specific script. So {@code server.forKey("k1").next(
 * FakeResponse.serverError())} fails the first request with key {@code k1} and lets later ones reach the default.
 *
 * <p>Scripts are thread-safe and may be changed while requests are in flight. Methods return this script for chaining.
 */
public final class Script {

    private final String selector;
    private final Queue<FakeResponse> queued = new ConcurrentLinkedQueue<>();
    private volatile Function<RecordedRequest, FakeResponse> standing;

    Script(String selector) {
        this.selector = selector;
    }

    /**
     * Answers every matching request with this response from now on, once the {@link #next} queue is empty.
     * Replaces an earlier {@code always} or {@link #respond}.
     *
     * @param response the standing response
     * @return this script
     */
    public Script always(FakeResponse response) {
        Objects.requireNonNull(response, "response");
        standing = new Always(response);
        return this;
    }

    /**
     * Queues one-shot responses: the next matching requests get them in this order, one each, before the standing
     * behaviour applies. Adds to responses queued earlier and not yet used.
     *
     * @param responses the one-shot responses, in the order they are to be used
     * @return this script
     */
    public Script next(FakeResponse... responses) {
        queued.addAll(List.of(responses)); // List.of rejects null elements before anything is queued
        return this;
    }

    /**
     * Answers every matching request with whatever this function returns, once the {@link #next} queue is empty.
     * Replaces an earlier {@link #always} or {@code respond}. Returning {@code null} passes the request on to the
     * next, less specific script.
     *
     * <p>The function is called concurrently when requests arrive concurrently, so it must be thread-safe. For
     * reproducible randomness use a seeded {@link java.util.Random} and draw under a lock: {@code Random} is
     * thread-safe, but {@code nextDouble()} advances the generator twice, and unsynchronized concurrent draws can
     * interleave and change the sequence. If the function throws, the request is answered {@code 500} with an error of
     * type {@code testkit_error} naming the exception.
     *
     * <pre>{@code
     * Random random = new Random(42);
     * server.forKey("k1").respond(request -> {
     *     synchronized (random) { // 30% of requests fail, the rest fall through to less specific scripts
     *         return random.nextDouble() < 0.3 ? FakeResponse.serverError() : null;
     *     }
     * });
     * }</pre>
     *
     * @param responder computes the response for a request, or {@code null} to pass it on
     * @return this script
     */
    public Script respond(Function<RecordedRequest, FakeResponse> responder) {
        standing = Objects.requireNonNull(responder, "responder");
        return this;
    }

    /** The answer for this request, or {@code null} if this script has none. */
    FakeResponse answer(RecordedRequest request) {
        FakeResponse response = queued.poll();
        if (response != null) {
            return response;
        }
        Function<RecordedRequest, FakeResponse> current = standing;
        if (current == null) {
            return null;
        }
        try {
            return current.apply(request);
        } catch (RuntimeException | AssertionError e) {
            return FakeResponse.error(
                    500, "testkit_error", "responder_failed", "the responder of " + this + " threw " + e);
        }
    }

    /** Forgets queued responses and the standing behaviour. */
    void clear() {
        standing = null;
        queued.clear();
    }

    @Override
    public String toString() {
        return "Script[" + selector + "]";
    }

    private record Always(FakeResponse response) implements Function<RecordedRequest, FakeResponse> {
        @Override
        public FakeResponse apply(RecordedRequest request) {
            return response;
        }
    }
}
