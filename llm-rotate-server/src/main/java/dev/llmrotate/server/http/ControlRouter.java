package dev.llmrotate.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsagePoint;
import dev.llmrotate.observe.UsageSeries;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.server.metrics.PrometheusMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every endpoint of the control server, independent of the HTTP server that carries it: a {@link ControlRequest} in,
 * a {@link ControlResponse} out. Read-only: GET and HEAD, anything else 405 with {@code Allow}. In order, a request is
 * checked for its method, its path (a traversal attempt or an unknown path is a 404), its bearer token (when one is
 * set; {@code /livez} and {@code /readyz} stay open), its query parameters (unknown, repeated or malformed: 400), and
 * answered. Every error is JSON: {@code {"error":{"type":...,"message":...}}}. The dashboard ({@code /} for a browser
 * that asks for HTML, its files under {@code /ui/}) is served before the token check: it is code without data, and
 * fetches the data with the token it asks for. Thread-safe.
 */
public final class ControlRouter {
    /** The logger of the control server. */
    public static final String LOG_NAME = "llm_rotate.server";

    private static final Logger LOG = LoggerFactory.getLogger(LOG_NAME);
    private static final String ALLOW = "GET, HEAD";
    private static final Set<String> EVENT_PARAMETERS =
            union(TimeFrame.PARAMETERS, Set.of("provider", "model", "key_id", "outcome", "limit", "cursor"));
    private static final Set<String> KEY_PARAMETERS = Set.of("provider", "state");
    private static final Set<String> SERIES_PARAMETERS =
            union(TimeFrame.PARAMETERS, Set.of("bucket", "provider", "model", "key_id", "caller"));
    private static final Set<String> HISTORY_PARAMETERS = union(TimeFrame.PARAMETERS, Set.of("limit"));
    /** How far back usage is kept (hour buckets); a frame open at its start begins here. */
    static final Duration USAGE_KEPT = Duration.ofDays(30);
    /** A time series without a frame covers the last hour. */
    static final Duration DEFAULT_SERIES_SPAN = Duration.ofHours(1);

    static final int DEFAULT_HISTORY_LIMIT = 100;
    private static final List<String> STATES = Arrays.stream(KeyState.values())
            .map(s -> s.name().toLowerCase(Locale.ROOT))
            .toList();

    private final LlmRotate lm;
    private final Settings settings;
    private final byte[] tokenDigest;
    private final List<Route> routes;
    private final Instant startedAt;
    private final DashboardAssets dashboard = new DashboardAssets();
    private volatile byte[] openApi;

    /**
     * How the router answers.
     *
     * @param token the bearer token every endpoint but {@code /livez} and {@code /readyz} requires, or null for none
     * @param corsOrigin the one origin (or {@code *}) browsers may read answers from, or null for no CORS
     * @param clock the clock time frames are resolved against
     * @param version the server's version, shown by {@code /version}
     * @param metrics what {@code /metrics} serves, or null for no {@code /metrics} (a 404)
     */
    public record Settings(String token, String corsOrigin, Clock clock, String version, PrometheusMetrics metrics) {
        /**
         * Checks the settings.
         *
         * @param token the bearer token, not empty, or null for none
         * @param corsOrigin the one origin browsers may read answers from, or null for no CORS
         * @param clock the clock time frames are resolved against, not null
         * @param version the server's version, not null
         * @param metrics what {@code /metrics} serves, or null for a 404
         * @throws NullPointerException when {@code clock} or {@code version} is null
         * @throws IllegalArgumentException when {@code token} is empty
         */
        public Settings {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(version, "version");
            if (token != null && token.isEmpty()) {
                throw new IllegalArgumentException("the bearer token is empty");
            }
        }

        @Override
        public String toString() {
            return "Settings[token=" + (token == null ? "none" : "***") + ", corsOrigin=" + corsOrigin + ", version="
                    + version + "]";
        }
    }

    /**
     * One endpoint.
     *
     * @param template the path, with {@code {name}} for one path segment ({@code /keys/{key_id}})
     * @param parameters the query parameters it accepts
     * @param open true when it needs no token ({@code /livez}, {@code /readyz})
     * @param handler what answers it
     */
    public record Route(String template, Set<String> parameters, boolean open, Handler handler) {
        /**
         * Copies the parameters.
         *
         * @param template the path, with {@code {name}} for one path segment
         * @param parameters the query parameters it accepts, not null
         * @param open true when it needs no token
         * @param handler what answers it
         * @throws NullPointerException when {@code parameters} is null
         */
        public Route {
            parameters = Set.copyOf(parameters);
        }
    }

    /** Answers one endpoint. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Answers a request that matched the route and passed the token check.
         *
         * @param request the request (its headers, e.g. {@code Accept} for content negotiation)
         * @param path the values of the template's {@code {name}} segments, decoded
         * @param query the query parameters, already limited to the route's accepted names
         * @return the answer
         * @throws ApiException for a request the endpoint refuses
         */
        ControlResponse handle(ControlRequest request, Map<String, String> path, QueryParams query);
    }

    /**
     * A router over {@code lm}.
     *
     * @param lm the instance the endpoints show, not null
     * @param settings the token, CORS origin, clock, version and metrics, not null
     */
    public ControlRouter(LlmRotate lm, Settings settings) {
        this.lm = Objects.requireNonNull(lm, "lm");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tokenDigest = settings.token() == null ? null : sha256(settings.token());
        this.startedAt = settings.clock().instant();
        this.routes = List.of(
                new Route("/", Set.of(), false, (r, p, q) -> ok(index())),
                new Route("/health", Set.of(), false, (r, p, q) -> health()),
                new Route("/keys", KEY_PARAMETERS, false, (r, p, q) -> ok(keys(q))),
                new Route("/keys/{key_id}", Set.of(), false, (r, p, q) -> ok(key(p.get("key_id")))),
                new Route(
                        "/keys/{key_id}/history",
                        HISTORY_PARAMETERS,
                        false,
                        (r, p, q) -> ok(history(p.get("key_id"), q))),
                new Route("/usage", TimeFrame.PARAMETERS, false, (r, p, q) -> ok(usage(q))),
                new Route(
                        "/usage/models",
                        union(TimeFrame.PARAMETERS, Set.of("group_by")),
                        false,
                        (r, p, q) -> ok(usageGroups(q))),
                new Route("/timeseries", SERIES_PARAMETERS, false, (r, p, q) -> ok(timeseries(q))),
                new Route("/events", EVENT_PARAMETERS, false, (r, p, q) -> ok(events(q))),
                new Route("/config", Set.of(), false, (r, p, q) -> ok(ConfigView.of(lm.config()))),
                new Route("/livez", Set.of(), true, (r, p, q) -> ok(Map.of("status", "alive"))),
                new Route("/readyz", Set.of(), true, (r, p, q) -> ok(Map.of("status", "ready"))),
                new Route("/version", Set.of(), false, (r, p, q) -> ok(version())),
                new Route("/openapi.json", Set.of(), false, (r, p, q) -> ControlResponse.json(200, openApi())),
                new Route("/metrics", Set.of(), false, (r, p, q) -> metrics(r)));
    }

    /**
     * The endpoints.
     *
     * @return every route, in the order {@code /} lists them
     */
    public List<Route> routes() {
        return routes;
    }

    /**
     * Answers one request; never throws.
     *
     * @param request the request
     * @return the answer: an endpoint's, the dashboard's, or a JSON error (500 for an endpoint that failed)
     */
    public ControlResponse handle(ControlRequest request) {
        ControlResponse response;
        try {
            response = dispatch(request);
        } catch (ApiException e) {
            response = error(e.status(), e.type(), e.parameter(), e.getMessage(), e.allowed());
        } catch (RuntimeException e) {
            LOG.warn("control server: {} {} failed", request.method(), describe(request), e);
            response = error(500, "internal_error", null, "the server failed to answer; see its log", null);
        }
        if (!response.headers().containsKey("cache-control")) {
            response = response.withHeader("cache-control", "no-store");
        }
        if (!response.headers().containsKey("content-security-policy")) {
            response = response.withHeader("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
        }
        response = response.withHeader("x-content-type-options", "nosniff");
        response = withCors(request, response);
        return "HEAD".equals(request.method()) ? response.withoutBody() : response;
    }

    private ControlResponse dispatch(ControlRequest request) {
        String method = request.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            if (method.equals("OPTIONS") && settings.corsOrigin() != null) {
                return new ControlResponse(204, Map.of("allow", ALLOW), new byte[0], false);
            }
            return error(405, "method_not_allowed", null, "this server is read-only: use GET or HEAD", null)
                    .withHeader("allow", ALLOW);
        }
        List<String> segments = PathSegments.split(request.rawPath());
        if (segments != null) {
            // The dashboard needs no token: it holds nothing but code, asks for the token and sends it with every
            // request for data. A JSON client asking for / still gets the index, behind the token.
            if (segments.isEmpty() && DashboardAssets.wantsPage(request)) {
                return dashboard.page(request);
            }
            ControlResponse asset = dashboard.asset(request.rawPath(), request);
            if (asset != null) {
                return asset;
            }
        }
        Match match = segments == null ? null : match(segments);
        boolean open = match != null && match.route().open();
        if (!open && tokenDigest != null && !authorized(request.header("authorization"))) {
            return error(401, "unauthorized", null, "this server needs 'Authorization: Bearer <token>'", null)
                    .withHeader("www-authenticate", "Bearer realm=\"llm-rotate-server\"");
        }
        if (match == null) {
            throw ApiException.notFound("no endpoint at this path; GET / lists them");
        }
        QueryParams query =
                QueryParams.parse(request.rawQuery()).acceptOnly(match.route().parameters());
        return match.route().handler().handle(request, match.values(), query);
    }

    private record Match(Route route, Map<String, String> values) {}

    private Match match(List<String> segments) {
        for (Route route : routes) {
            Map<String, String> values = PathSegments.match(route.template(), segments);
            if (values != null) {
                return new Match(route, values);
            }
        }
        return null;
    }

    private boolean authorized(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // Digests of equal length compared in constant time: neither the token's content nor its length leaks.
        return MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).strip()));
    }

    private ControlResponse withCors(ControlRequest request, ControlResponse response) {
        String allowed = settings.corsOrigin();
        String origin = request.header("origin");
        if (allowed == null || origin == null || !(allowed.equals("*") || allowed.equals(origin))) {
            return response;
        }
        ControlResponse r = response.withHeader("access-control-allow-origin", allowed);
        if (!allowed.equals("*")) {
            r = r.withHeader("vary", "Origin");
        }
        if ("OPTIONS".equals(request.method())) {
            r = r.withHeader("access-control-allow-methods", ALLOW)
                    .withHeader("access-control-allow-headers", "Authorization")
                    .withHeader("access-control-max-age", "600");
        }
        return r;
    }

    /** The Prometheus scrape, in the format the {@code Accept} header asks for; 404 when the server has none. */
    private ControlResponse metrics(ControlRequest request) {
        PrometheusMetrics metrics = settings.metrics();
        if (metrics == null) {
            throw ApiException.notFound("no metrics are served here");
        }
        String accept = request.header("accept");
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            metrics.write(out, accept);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ControlResponse.of(200, metrics.contentType(accept), out.toByteArray());
    }

    private ControlResponse health() {
        HealthReport report = lm.health();
        return ControlResponse.json(KeysView.canServe(report) ? 200 : 503, Json.bytes(KeysView.health(report)));
    }

    private KeysView.KeysBody keys(QueryParams q) {
        String provider = q.text("provider");
        String state = q.choice("state", STATES, null);
        HealthReport report = lm.health();
        List<KeysView.KeyView> keys = KeysView.keys(report, lm.config(), lm.usageSummary()).stream()
                .filter(k -> provider == null || provider.equals(k.provider()))
                .filter(k -> state == null || k.state().name().equalsIgnoreCase(state))
                .toList();
        return new KeysView.KeysBody(report.generatedAt(), keys);
    }

    private KeysView.KeyView key(String keyId) {
        KeysView.KeyView view = KeysView.key(lm.health(), lm.config(), lm.usageSummary(), keyId);
        if (view == null) {
            boolean configured =
                    lm.config().keys().stream().anyMatch(k -> k.keyId().equals(keyId));
            throw ApiException.notFound(
                    configured
                            ? "key " + ApiException.quote(keyId) + " is configured but not in the pool (disabled, or"
                                    + " not in use_keys)"
                            : "no key " + ApiException.quote(keyId) + "; GET /keys lists them");
        }
        return view;
    }

    private UsageView.UsageBody usage(QueryParams q) {
        TimeFrame frame = TimeFrame.parse(q, settings.clock(), null);
        return UsageView.usage(summary(frame), frame);
    }

    private UsageView.GroupsBody usageGroups(QueryParams q) {
        String groupBy = q.choice("group_by", UsageView.GROUPS, "model");
        TimeFrame frame = TimeFrame.parse(q, settings.clock(), null);
        return UsageView.groups(summary(frame), frame, groupBy);
    }

    private UsageSummary summary(TimeFrame frame) {
        if (frame == null) {
            return lm.usageSummary();
        }
        Instant from = frame.from() != null ? frame.from() : frame.until().minus(USAGE_KEPT);
        try {
            return lm.usageSummary(from, endOf(frame));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParameter(frame.window() != null ? "window" : "since", e.getMessage(), null);
        }
    }

    /** The exclusive end the library takes: a frame that runs to now includes a call that ended this instant. */
    private static Instant endOf(TimeFrame frame) {
        return frame.untilNow() ? frame.until().plusMillis(1) : frame.until();
    }

    private SeriesBody timeseries(QueryParams q) {
        TimeFrame parsed = TimeFrame.parse(q, settings.clock(), USAGE_KEPT);
        Instant now = settings.clock().instant();
        TimeFrame frame = parsed != null ? parsed : new TimeFrame(now.minus(DEFAULT_SERIES_SPAN), now, null, true);
        Instant from = frame.from() != null ? frame.from() : frame.until().minus(USAGE_KEPT);
        Duration bucket = TimeFrame.bucket(q, TimeFrame.defaultBucket(Duration.between(from, frame.until())));
        if (bucket.compareTo(Duration.ofHours(1)) < 0 && from.isBefore(now.minus(Duration.ofDays(1)))) {
            throw ApiException.invalidParameter(
                    "bucket",
                    "minute buckets are kept for a day; a frame reaching back further takes bucket=1h",
                    List.of("1h"));
        }
        String provider = q.text("provider");
        String model = q.text("model");
        String keyId = q.text("key_id");
        String caller = q.text("caller");
        if (caller != null && (provider != null || model != null || keyId != null)) {
            throw ApiException.invalidParameter(
                    "caller",
                    "caller cannot be combined with provider, model or key_id: usage per caller is counted apart"
                            + " from the provider, model and key slices",
                    null);
        }
        UsageFilter filter = new UsageFilter(provider, model, keyId, caller);
        UsageSeries series;
        try {
            series = lm.usageSeries(from, endOf(frame), bucket, filter);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParameter(frame.window() != null ? "window" : "since", e.getMessage(), null);
        }
        String bucketName = TimeFrame.BUCKETS.entrySet().stream()
                .filter(b -> b.getValue().equals(bucket))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        return new SeriesBody(frame, bucketName, filter, series.points());
    }

    /**
     * The body of {@code /timeseries}.
     *
     * @param frame the frame asked for (the last hour when none was)
     * @param bucket the bucket width ({@code 1m}, {@code 5m}, {@code 1h})
     * @param filter which calls are counted (null fields: any)
     * @param points every bucket of the frame, oldest first, empty ones included
     */
    public record SeriesBody(TimeFrame frame, String bucket, UsageFilter filter, List<UsagePoint> points) {}

    private HistoryBody history(String keyId, QueryParams q) {
        key(keyId); // 404 for an unknown key, in the words of /keys/{key_id}
        TimeFrame frame = TimeFrame.parse(q, settings.clock(), null);
        int limit = q.intInRange("limit", 1, LlmRotate.MAX_HISTORY, DEFAULT_HISTORY_LIMIT);
        Instant until =
                frame != null ? endOf(frame) : settings.clock().instant().plusMillis(1);
        Instant from = frame != null && frame.from() != null ? frame.from() : Instant.EPOCH;
        return new HistoryBody(keyId, frame, limit, lm.keyHistory(keyId, from, until, limit));
    }

    /**
     * The body of {@code /keys/{key_id}/history}.
     *
     * @param keyId the key
     * @param frame the frame asked for, or null for all that is kept
     * @param limit the most changes returned
     * @param changes the key's state changes and those of its models, newest first
     */
    public record HistoryBody(String keyId, TimeFrame frame, int limit, List<KeyStateChange> changes) {}

    private EventsView.EventsBody events(QueryParams q) {
        TimeFrame frame = TimeFrame.parse(q, settings.clock(), null);
        EventsView.Filter filter = new EventsView.Filter(
                frame,
                q.text("provider"),
                q.text("model"),
                q.text("key_id"),
                q.choice("outcome", EventsView.OUTCOMES, null));
        int limit = q.intInRange("limit", 1, EventsView.MAX_LIMIT, EventsView.DEFAULT_LIMIT);
        String cursor = q.get("cursor");
        EventsView.Page page = EventsView.page(
                lm.recentCalls(Integer.MAX_VALUE),
                filter,
                cursor == null ? null : EventsView.Cursor.decode(cursor),
                limit);
        List<Json.Raw> events = new ArrayList<>(page.records().size());
        for (CallRecord r : page.records()) {
            events.add(new Json.Raw(r.toJson()));
        }
        return new EventsView.EventsBody(
                frame,
                lm.eventBufferCapacity(),
                events.size(),
                page.next() == null ? null : page.next().encode(),
                events);
    }

    private Map<String, Object> index() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "llm-rotate-server");
        body.put("version", settings.version());
        body.put("endpoints", routes.stream().map(Route::template).toList());
        body.put("openapi", "/openapi.json");
        return body;
    }

    /**
     * The body of {@code /version}.
     *
     * @param name always {@code llm-rotate-server}
     * @param version the server's version
     * @param javaVersion the JVM's version
     * @param startedAt when the server started
     * @param uptimeSeconds seconds since then
     */
    public record VersionBody(String name, String version, String javaVersion, Instant startedAt, long uptimeSeconds) {}

    private VersionBody version() {
        return new VersionBody(
                "llm-rotate-server",
                settings.version(),
                System.getProperty("java.version"),
                startedAt,
                Math.max(
                        0,
                        Duration.between(startedAt, settings.clock().instant()).toSeconds()));
    }

    private byte[] openApi() {
        byte[] doc = openApi;
        if (doc == null) {
            doc = OpenApiDocument.json(settings.version());
            openApi = doc;
        }
        return doc;
    }

    private static ControlResponse ok(Object body) {
        return ControlResponse.json(200, Json.bytes(body));
    }

    /**
     * An error body.
     *
     * @param error what went wrong
     */
    public record ErrorBody(ErrorDetail error) {}

    /**
     * What went wrong.
     *
     * @param type {@code invalid_parameter}, {@code not_found}, {@code method_not_allowed}, {@code unauthorized},
     *     {@code internal_error}
     * @param parameter the query parameter at fault, when there is one
     * @param message what is wrong, for a person
     * @param allowed what the parameter accepts, when that is a short list
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ErrorDetail(String type, String parameter, String message, List<String> allowed) {}

    /**
     * A JSON error answer in the router's shape, for the binding's own refusals (a request line or headers too
     * large, a body too large, a slow client, a full server).
     *
     * @param status the HTTP status
     * @param type the error type, e.g. {@code payload_too_large}
     * @param message what is wrong, for a person
     * @return the JSON answer
     */
    public static ControlResponse errorResponse(int status, String type, String message) {
        return error(status, type, null, message, null);
    }

    private static ControlResponse error(
            int status, String type, String parameter, String message, List<String> allowed) {
        return ControlResponse.json(
                status, Json.bytes(new ErrorBody(new ErrorDetail(type, parameter, message, allowed))));
    }

    /** The request for a log line: its method and the endpoint it reached, never the raw target a client chose. */
    private String describe(ControlRequest request) {
        List<String> segments = PathSegments.split(request.rawPath());
        Match match = segments == null ? null : match(segments);
        return match == null ? "(unknown path)" : match.route().template();
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        return Set.copyOf(Stream.concat(a.stream(), b.stream()).toList());
    }
}
