package dev.llmrotate.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks AWS Signature Version 4 {@code Authorization} headers the way an AWS service does: it rebuilds the
 * canonical request from what arrived (the path as received, normalised and encoded once more; the sorted query;
 * the headers named in {@code SignedHeaders}; the SHA-256 of the body), derives the signing key of the credential's
 * scope and compares signatures. Written independently of llm-rotate-core's signer, so each checks the other.
 */
final class SigV4Verifier {
    private static final Pattern AUTHORIZATION =
            Pattern.compile("AWS4-HMAC-SHA256 Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request,\\s*"
                    + "SignedHeaders=([a-z0-9;\\-]+),\\s*Signature=([0-9a-f]{64})");

    /** Access key id to secret access key and (for temporary credentials) session token. */
    private final Map<String, String[]> credentials = new ConcurrentHashMap<>();

    void accept(String accessKeyId, String secretAccessKey, String sessionToken) {
        credentials.put(accessKeyId, new String[] {secretAccessKey, sessionToken});
    }

    void clear() {
        credentials.clear();
    }

    boolean hasCredentials() {
        return !credentials.isEmpty();
    }

    /**
     * What the request's {@code Authorization} header says, before any check, or null when it has none or it is not
     * a SigV4 header.
     *
     * @param accessKeyId the credential's access key id
     * @param region the credential scope's region
     * @param service the credential scope's service
     */
    record Credential(String accessKeyId, String date, String region, String service) {}

    static Credential credential(Map<String, List<String>> headers) {
        Matcher m = match(headers);
        return m == null ? null : new Credential(m.group(1), m.group(2), m.group(3), m.group(4));
    }

    private static Matcher match(Map<String, List<String>> headers) {
        String authorization = first(headers, "authorization");
        if (authorization == null) {
            return null;
        }
        Matcher m = AUTHORIZATION.matcher(authorization.trim());
        return m.matches() ? m : null;
    }

    /** Why verification failed: the AWS error code and message to answer with (HTTP 403 or 400). */
    record Failure(int status, String code, String message) {}

    /** Null when the request is correctly signed by accepted credentials, else what AWS would answer. */
    Failure verify(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        String authorization = first(headers, "authorization");
        if (authorization == null) {
            return new Failure(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        Matcher m = match(headers);
        if (m == null) {
            return new Failure(
                    400,
                    "IncompleteSignatureException",
                    "Authorization header requires 'Credential',"
                            + " 'Signature' and 'SignedHeaders' parameters in the AWS4-HMAC-SHA256 format.");
        }
        String accessKeyId = m.group(1);
        String date = m.group(2);
        String region = m.group(3);
        String service = m.group(4);
        List<String> signedHeaders = Arrays.asList(m.group(5).split(";"));
        String[] secret = credentials.get(accessKeyId);
        if (secret == null) {
            return new Failure(
                    403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        String token = first(headers, "x-amz-security-token");
        if (!java.util.Objects.equals(secret[1], token)) {
            return new Failure(
                    403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        String amzDate = first(headers, "x-amz-date");
        if (!signedHeaders.contains("host")
                || !signedHeaders.contains("x-amz-date")
                || amzDate == null
                || !amzDate.startsWith(date)
                || (token != null && !signedHeaders.contains("x-amz-security-token"))) {
            return new Failure(
                    403,
                    "InvalidSignatureException",
                    "Host, X-Amz-Date and a session token, when sent,"
                            + " must be signed, and X-Amz-Date must fall on the credential's date.");
        }
        for (String name : signedHeaders) {
            if (!headers.containsKey(name)) {
                return new Failure(403, "InvalidSignatureException", "Signed header " + name + " is missing.");
            }
        }
        String expected =
                signature(method, rawPath, rawQuery, headers, signedHeaders, body, secret[0], amzDate, region, service);
        if (!MessageDigest.isEqual(bytes(expected), bytes(m.group(6)))) {
            return new Failure(
                    403,
                    "InvalidSignatureException",
                    "The request signature we calculated does not match the signature you provided. Check your AWS"
                            + " Secret Access Key and signing method. Consult the service documentation for details.");
        }
        return null;
    }

    /**
     * The {@code Authorization} header a correctly signing client sends, for the testkit's own tests: the headers
     * named in {@code signedHeaders} must be in {@code headers} (lower-case names).
     */
    static String authorization(
            String method,
            String rawPath,
            String rawQuery,
            Map<String, List<String>> headers,
            List<String> signedHeaders,
            byte[] body,
            String accessKeyId,
            String secretAccessKey,
            String region,
            String service) {
        String amzDate = first(headers, "x-amz-date");
        String date = amzDate.substring(0, 8);
        return "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + date + "/" + region + "/" + service
                + "/aws4_request, SignedHeaders=" + String.join(";", signedHeaders) + ", Signature="
                + signature(
                        method,
                        rawPath,
                        rawQuery,
                        headers,
                        signedHeaders,
                        body,
                        secretAccessKey,
                        amzDate,
                        region,
                        service);
    }

    private static String signature(
            String method,
            String rawPath,
            String rawQuery,
            Map<String, List<String>> headers,
            List<String> signedHeaders,
            byte[] body,
            String secretAccessKey,
            String amzDate,
            String region,
            String service) {
        StringBuilder canonical = new StringBuilder();
        canonical.append(method).append('\n');
        canonical.append(canonicalPath(rawPath)).append('\n');
        canonical.append(canonicalQuery(rawQuery)).append('\n');
        for (String name : signedHeaders) {
            List<String> trimmed = new ArrayList<>();
            headers.get(name).forEach(v -> trimmed.add(v.trim().replaceAll(" +", " ")));
            canonical.append(name).append(':').append(String.join(",", trimmed)).append('\n');
        }
        canonical.append('\n').append(String.join(";", signedHeaders)).append('\n');
        String payloadHash = first(headers, "x-amz-content-sha256");
        canonical.append(payloadHash != null ? payloadHash : hex(sha256(body)));
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign =
                "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(bytes(canonical.toString())));
        byte[] key = hmac(bytes("AWS4" + secretAccessKey), date);
        for (String part : new String[] {region, service, "aws4_request"}) {
            key = hmac(key, part);
        }
        return hex(hmac(key, stringToSign));
    }

    /** The received path, dot segments and empty segments removed, every byte but unreserved ones and '/' encoded. */
    static String canonicalPath(String rawPath) {
        LinkedList<String> kept = new LinkedList<>();
        for (String segment : (rawPath == null ? "" : rawPath).split("/")) {
            switch (segment) {
                case "", "." -> {}
                case ".." -> {
                    if (!kept.isEmpty()) {
                        kept.removeLast();
                    }
                }
                default -> kept.add(segment);
            }
        }
        String path = "/" + String.join("/", kept) + (!kept.isEmpty() && rawPath.endsWith("/") ? "/" : "");
        return encode(path, "/");
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (!pair.isEmpty()) {
                String[] kv = pair.split("=", 2);
                pairs.add(new String[] {encode(decode(kv[0]), ""), encode(decode(kv.length > 1 ? kv[1] : ""), "")});
            }
        }
        pairs.sort(java.util.Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
        List<String> joined = new ArrayList<>();
        pairs.forEach(p -> joined.add(p[0] + "=" + p[1]));
        return String.join("&", joined);
    }

    private static String encode(String text, String keep) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes(text)) {
            char c = (char) (b & 0xff);
            boolean unreserved = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-_.~".indexOf(c) >= 0
                    || keep.indexOf(c) >= 0;
            out.append(unreserved ? String.valueOf(c) : String.format(Locale.ROOT, "%%%02X", b & 0xff));
        }
        return out.toString();
    }

    private static String decode(String text) {
        return java.net.URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(bytes(data));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }
}
