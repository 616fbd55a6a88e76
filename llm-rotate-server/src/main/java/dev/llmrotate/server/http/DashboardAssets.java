package dev.llmrotate.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The dashboard: its page at {@code /} and its scripts and styles under {@code /ui/}, read once from the class path
 * into memory (with a gzip copy) when the router is made. Only the paths listed here exist; a request path is
 * compared with them as sent, never turned into a resource name, so no path can reach another resource. Our own files
 * are revalidated by ETag on every load; vendor files sit under a versioned path and are cached for a year.
 * Every answer carries a Content-Security-Policy that allows scripts, styles and fetches from this origin only.
 */
final class DashboardAssets {
    private static final String BASE = "dev/llmrotate/server/dashboard/";
    private static final String HTM = "META-INF/resources/_static/htm/3.1.1/";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    /** The dashboard's own files, served as {@code /ui/<name>}, besides the page itself. */
    static final List<String> OWN_FILES = List.of(
            "app.js",
            "boot.js",
            "api.js",
            "format.js",
            "keys.js",
            "charts.js",
            "tables.js",
            "dashboard.css",
            "favicon.svg");

    /** Vendor files: the path they are served at (with their version in it) and where the jar keeps them. */
    static final Map<String, String> VENDOR_FILES = Map.of(
            "/ui/vendor/htm/3.1.1/preact/standalone.module.js", HTM + "preact/standalone.module.js",
            "/ui/vendor/uplot/1.6.30/uPlot.iife.min.js", UPLOT + "uPlot.iife.min.js",
            "/ui/vendor/uplot/1.6.30/uPlot.min.css", UPLOT + "uPlot.min.css");

    /**
     * Scripts, styles, fetches and images from this origin only; no inline script, no plugin, no framing, no form
     * posts. {@code style-src} does not cover styles set through the DOM, which is how Preact and uPlot set them.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none';"
            + " form-action 'none'; frame-ancestors 'none'";

    private static final String REVALIDATE = "no-cache";
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final Asset page;
    private final Map<String, Asset> byPath;

    private record Asset(String contentType, String cacheControl, String etag, byte[] body, byte[] gzipped) {}

    DashboardAssets() {
        ClassLoader loader = DashboardAssets.class.getClassLoader();
        page = load(loader, BASE + "index.html", REVALIDATE);
        Map<String, Asset> assets = new LinkedHashMap<>();
        for (String name : OWN_FILES) {
            assets.put("/ui/" + name, load(loader, BASE + name, REVALIDATE));
        }
        VENDOR_FILES.forEach((path, resource) -> assets.put(path, load(loader, resource, IMMUTABLE)));
        byPath = Map.copyOf(assets);
    }

    /** True when a request for {@code /} should get the page: a browser asking for HTML, not a JSON client. */
    static boolean wantsPage(ControlRequest request) {
        String accept = request.header("accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
    }

    /** The page. */
    ControlResponse page(ControlRequest request) {
        // JSON clients get the index at the same path: caches must keep the two apart.
        return answer(page, request).withHeader("vary", "Accept, Accept-Encoding");
    }

    /** The asset at this raw path, or null when there is none. */
    ControlResponse asset(String rawPath, ControlRequest request) {
        Asset asset = byPath.get(rawPath);
        return asset == null ? null : answer(asset, request);
    }

    private static ControlResponse answer(Asset asset, ControlRequest request) {
        boolean gzip = asset.gzipped() != null && acceptsGzip(request.header("accept-encoding"));
        ControlResponse r;
        if (notModified(request.header("if-none-match"), asset.etag())) {
            r = new ControlResponse(304, Map.of(), new byte[0], false);
        } else {
            r = ControlResponse.of(200, asset.contentType(), gzip ? asset.gzipped() : asset.body());
            if (gzip) {
                r = r.withHeader("content-encoding", "gzip");
            }
        }
        return r.withHeader("etag", asset.etag())
                .withHeader("cache-control", asset.cacheControl())
                .withHeader("vary", "Accept-Encoding")
                .withHeader("content-security-policy", CONTENT_SECURITY_POLICY)
                .withHeader("x-frame-options", "DENY")
                .withHeader("referrer-policy", "no-referrer");
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
            String[] coding = part.strip().split(";");
            if (coding[0].strip().equals("gzip")) {
                return coding.length == 1 || !coding[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    private static boolean notModified(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static Asset load(ClassLoader loader, String resource, String cacheControl) {
        byte[] body;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + resource + " is missing from the class path");
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard's " + resource, e);
        }
        String etag = "\""
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(sha256(body))
                        .substring(0, 22) + "\"";
        byte[] gzipped = gzip(body);
        return new Asset(
                contentType(resource), cacheControl, etag, body, gzipped.length < body.length ? gzipped : null);
    }

    private static String contentType(String resource) {
        String ext = resource.substring(resource.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml";
            default -> throw new IllegalStateException("no content type for " + resource);
        };
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
