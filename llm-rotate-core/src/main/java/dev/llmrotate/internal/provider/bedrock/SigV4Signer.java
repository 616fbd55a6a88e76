package dev.llmrotate.internal.provider.bedrock;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for header-based authentication, written against AWS's published description and test
 * suite (no SDK). Rules, as the SDKs for services other than S3 apply them:
 *
 * <ul>
 *   <li>canonical URI: the request path as it goes on the wire, normalised (empty, {@code .} and {@code ..}
 *       segments removed) and URI-encoded once more, byte by byte, keeping {@code A-Z a-z 0-9 - _ . ~} and
 *       {@code /}. A Bedrock model id {@code …-v1:0} is sent as {@code …-v1%3A0} and signed as {@code …-v1%253A0};
 *   <li>canonical query: parameters percent-decoded, re-encoded with the same rule ({@code /} too), sorted by
 *       name, then value;
 *   <li>canonical headers: names lower-cased and sorted, values trimmed with inner runs of spaces collapsed;
 *       {@code host}, {@code x-amz-date} and, for temporary credentials, {@code x-amz-security-token} are always
 *       signed, besides the headers the caller passes;
 *   <li>payload: the hex SHA-256 of the body;
 *   <li>credential scope {@code yyyyMMdd/region/service/aws4_request}; signing key derived by HMAC-SHA256 from
 *       {@code "AWS4" + secret} through date, region, service and {@code aws4_request}.
 * </ul>
 *
 * <p>The time comes from the injected {@link Clock}. Thread-safe.
 */
public final class SigV4Signer {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";

    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    private final Clock clock;

    public SigV4Signer(Clock clock) {
        this.clock = clock;
    }

    /**
     * The outcome of signing: the headers to add to the request, and every intermediate string (for tests and for
     * debugging a signature mismatch; none of them contains the secret key).
     *
     * @param headers {@code X-Amz-Date}, {@code X-Amz-Security-Token} (temporary credentials only) and
     *     {@code Authorization}, in that order
     * @param canonicalRequest the canonical request
     * @param stringToSign the string to sign
     * @param authorization the {@code Authorization} header value
     */
    public record Signed(
            Map<String, String> headers, String canonicalRequest, String stringToSign, String authorization) {}

    /** Signs a request to {@code uri}, taking the host, the raw path and the raw query from it. */
    public Signed sign(
            String method,
            URI uri,
            Map<String, String> headers,
            byte[] payload,
            AwsCredentials credentials,
            String region,
            String service) {
        return sign(
                method,
                hostHeader(uri),
                uri.getRawPath(),
                uri.getRawQuery(),
                headers,
                payload,
                credentials,
                region,
                service);
    }

    /**
     * Signs a request.
     *
     * @param method the HTTP method
     * @param host the {@code Host} header the client sends ({@code host} or {@code host:port})
     * @param path the path exactly as it appears on the request line (already percent-encoded where the protocol
     *     needs it)
     * @param query the raw query without {@code ?}, or null
     * @param headers further headers to sign (they must be sent with exactly these values); names are
     *     case-insensitive, a repeated header is one comma-joined value
     * @param payload the request body
     */
    public Signed sign(
            String method,
            String host,
            String path,
            String query,
            Map<String, String> headers,
            byte[] payload,
            AwsCredentials credentials,
            String region,
            String service) {
        String amzDate = AMZ_DATE.format(clock.instant());
        String date = amzDate.substring(0, 8);
        TreeMap<String, String> signed = new TreeMap<>();
        headers.forEach((name, value) ->
                signed.merge(name.toLowerCase(Locale.ROOT), canonicalValue(value), (a, b) -> a + "," + b));
        signed.put("host", host);
        signed.put("x-amz-date", amzDate);
        if (credentials.sessionToken() != null) {
            signed.put("x-amz-security-token", credentials.sessionToken());
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        signed.forEach((name, value) ->
                canonicalHeaders.append(name).append(':').append(value).append('\n'));
        String signedHeaders = String.join(";", signed.keySet());
        String canonicalRequest = method + "\n"
                + canonicalUri(path) + "\n"
                + canonicalQuery(query) + "\n"
                + canonicalHeaders + "\n"
                + signedHeaders + "\n"
                + sha256Hex(payload);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] key = signingKey(credentials.secretAccessKey(), date, region, service);
        String signature = HEX.formatHex(hmac(key, stringToSign));
        String authorization = ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature;
        Map<String, String> add = new LinkedHashMap<>();
        add.put("X-Amz-Date", amzDate);
        if (credentials.sessionToken() != null) {
            add.put("X-Amz-Security-Token", credentials.sessionToken());
        }
        add.put("Authorization", authorization);
        return new Signed(add, canonicalRequest, stringToSign, authorization);
    }

    /** The {@code Host} header an HTTP client sends for {@code uri}: the port only when it is not the default. */
    public static String hostHeader(URI uri) {
        int port = uri.getPort();
        boolean defaultPort = port == -1
                || ("https".equalsIgnoreCase(uri.getScheme()) && port == 443)
                || ("http".equalsIgnoreCase(uri.getScheme()) && port == 80);
        return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
    }

    /** The normalised path (no empty, {@code .} or {@code ..} segments), URI-encoded once more. */
    static String canonicalUri(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        StringBuilder normalised = new StringBuilder("/");
        normalised.append(String.join("/", segments));
        if (!segments.isEmpty() && path.endsWith("/")) {
            normalised.append('/');
        }
        return uriEncode(normalised.toString(), false);
    }

    /** Parameters decoded, re-encoded, sorted by name then value, joined with {@code &}. */
    static String canonicalQuery(String query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        List<String[]> params = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.add(new String[] {uriEncode(percentDecode(name), true), uriEncode(percentDecode(value), true)});
        }
        params.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder out = new StringBuilder();
        for (String[] p : params) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** Percent-encodes every UTF-8 byte except the unreserved characters (and {@code /} unless asked to). */
    static String uriEncode(String text, boolean encodeSlash) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~'
                    || (c == '/' && !encodeSlash)) {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int hi;
            int lo;
            if (c == '%'
                    && i + 2 < text.length()
                    && (hi = Character.digit(text.charAt(i + 1), 16)) >= 0
                    && (lo = Character.digit(text.charAt(i + 2), 16)) >= 0) {
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A header value trimmed, with every run of spaces inside it collapsed to one. */
    private static String canonicalValue(String value) {
        return value.strip().replaceAll("\\s+", " ");
    }

    static byte[] signingKey(String secretAccessKey, String date, String region, String service) {
        byte[] kDate = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), date);
        byte[] kRegion = hmac(kDate, region);
        byte[] kService = hmac(kRegion, service);
        return hmac(kService, "aws4_request");
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    static String sha256Hex(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
