package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.CredentialEnvironment;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.cloud.CredentialFiles;
import dev.llmrotate.internal.provider.cloud.CredentialFiles.Deadline;
import dev.llmrotate.internal.provider.cloud.CredentialHttp;
import dev.llmrotate.internal.provider.cloud.Expiring;
import dev.llmrotate.internal.provider.cloud.RefreshingCredential;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Google Application Defaults Credentials for {@code auth_method: adc}, in the order Google's libraries look:
 *
 * <ol>
 *   <li>the key's {@code secret_ref}, when it has one: a credentials JSON of any type below;
 *   <li>the file named by {@code GOOGLE_APPLICATION_CREDENTIALS} (it must exist when the variable is set);
 *   <li>gcloud's well-known file, {@code application_default_credentials.json} in {@code $CLOUDSDK_CONFIG}, else
 *       {@code ~/.config/gcloud} ({@code %APPDATA%\gcloud} on Windows), written by {@code gcloud auth
 *       application-default login};
 *   <li>the metadata server of GCE, GKE (workload identity), Cloud Run and Cloud Functions: {@code GET
 *       http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token} with {@code
 *       Metadata-Flavor: Google}; the host is {@code $GCE_METADATA_HOST} when set.
 * </ol>
 *
 * <p>Credentials files of type {@code service_account} (JWT bearer grant), {@code authorized_user} (refresh-token
 * grant), {@code impersonated_service_account} (its {@code source_credentials}, then IAM Credentials'
 * {@code generateAccessToken}) and {@code external_account} (workload identity federation with a {@code file} or
 * {@code url} credential source: the subject token is exchanged at the STS {@code token_url}, then impersonated when
 * the file names a {@code service_account_impersonation_url}) are read; other types and credential sources are refused
 * with a message naming them. {@code auth_config.impersonate_service_account} impersonates that account with whatever
 * was found ({@code auth_config.iam_endpoint} replaces {@code https://iamcredentials.googleapis.com}).
 * {@code auth_config.scopes} (default cloud-platform), {@code auth_config.token_uri} (replaces the OAuth token
 * endpoint) and {@code auth_config.quota_project_id} (else the file's; sent as {@code x-goog-user-project}) apply.
 *
 * <p>Each key has its own token, refreshed before it expires ({@link Expiring}) one fetch at a time; a token the API
 * refuses is dropped ({@link #invalidate}). Every fetch has the attempt's deadline and a size limit; failures name the
 * source (file path, URL) and never a secret.
 */
final class ApplicationDefaultCredentials {
    static final String DEFAULT_SCOPE = ServiceAccountTokens.SCOPE;
    static final String METADATA_HOST = "metadata.google.internal";
    static final String IAM_ENDPOINT = "https://iamcredentials.googleapis.com";
    static final String WELL_KNOWN_FILE = "application_default_credentials.json";
    private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final int MAX_NESTING = 2;

    private final CredentialEnvironment environment;
    private final ObjectMapper json;
    private final Clock clock;
    private final ServiceAccountTokens serviceAccounts;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Duration, CredentialHttp> http = new ConcurrentHashMap<>();

    /** A token and the project billed for it (null: the token's own). */
    record Token(String value, String quotaProject) {}

    private record Entry(String fingerprint, RefreshingCredential<Token> credential) {}

    /** What one fetch needs: the key, its settings and the time left. */
    private record Fetch(KeySpec key, List<String> scopes, URI tokenUri, Deadline deadline, CredentialHttp http) {}

    ApplicationDefaultCredentials(
            CredentialEnvironment environment, ObjectMapper json, Clock clock, ServiceAccountTokens serviceAccounts) {
        this.environment = environment;
        this.json = json;
        this.clock = clock;
        this.serviceAccounts = serviceAccounts;
    }

    /** The request headers: {@code Authorization: Bearer …} and, with a quota project, {@code x-goog-user-project}. */
    Map<String, String> headers(Attempt attempt, Duration timeout) {
        Token token = entry(attempt.key()).credential().get(left -> fetch(attempt, left), timeout);
        return headers(token);
    }

    /** {@link #headers} without blocking the caller when a fetch is needed (it runs on the common pool). */
    CompletableFuture<Map<String, String>> headersAsync(Attempt attempt, Duration timeout) {
        Token fresh = entry(attempt.key()).credential().fresh();
        if (fresh != null) {
            return CompletableFuture.completedFuture(headers(fresh));
        }
        return CompletableFuture.supplyAsync(() -> headers(attempt, timeout));
    }

    /** Drops the key's token: the next call fetches another. */
    void invalidate(KeySpec key) {
        Entry entry = entries.get(key.keyId());
        if (entry != null) {
            entry.credential().invalidate();
        }
    }

    private static Map<String, String> headers(Token token) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + token.value());
        if (token.quotaProject() != null) {
            headers.put("x-goog-user-project", token.quotaProject());
        }
        return headers;
    }

    /** The key's cache, made anew when its configuration changed (a reload). */
    private Entry entry(KeySpec key) {
        String fingerprint = key.secretRef() + "\n" + key.authConfig();
        return entries.compute(
                key.keyId(),
                (id, old) -> old != null && old.fingerprint().equals(fingerprint)
                        ? old
                        : new Entry(fingerprint, new RefreshingCredential<>(clock)));
    }

    private Expiring<Token> fetch(Attempt attempt, Duration timeout) {
        KeySpec key = attempt.key();
        Fetch fetch = new Fetch(
                key,
                scopes(key),
                setting(key, "token_uri") == null ? null : uri(setting(key, "token_uri"), "auth_config.token_uri"),
                Deadline.in(timeout),
                http.computeIfAbsent(attempt.settings().connectTimeout(), CredentialHttp::new));
        Expiring<Token> found = find(fetch, attempt.secret());
        String target = setting(key, "impersonate_service_account");
        if (target != null) {
            String endpoint = Objects.requireNonNullElse(setting(key, "iam_endpoint"), IAM_ENDPOINT);
            found = impersonate(
                    fetch,
                    found,
                    uri(
                            stripSlash(endpoint) + "/v1/projects/-/serviceAccounts/" + encode(target)
                                    + ":generateAccessToken",
                            "auth_config.iam_endpoint"),
                    List.of());
        }
        String quotaProject = setting(key, "quota_project_id");
        if (quotaProject != null) {
            found = new Expiring<>(
                    new Token(found.value().value(), quotaProject), found.refreshAt(), found.expiresAt());
        }
        return found;
    }

    /** The first source of the chain that has credentials. */
    private Expiring<Token> find(Fetch fetch, String secret) {
        if (fetch.key().secretRef().scheme() != SecretRef.Scheme.AMBIENT) {
            return fromJson(fetch, parse(secret, "the key's secret_ref"), "the key's secret_ref", 0);
        }
        String named = environment.env("GOOGLE_APPLICATION_CREDENTIALS");
        if (named != null) {
            Path path = CredentialFiles.path(named, "GOOGLE_APPLICATION_CREDENTIALS");
            String what = "the GOOGLE_APPLICATION_CREDENTIALS file";
            return fromJson(fetch, parse(CredentialFiles.read(path, what), what + " " + path), what + " " + path, 0);
        }
        Path wellKnown = wellKnownFile();
        if (wellKnown != null) {
            String what = "the gcloud credentials file";
            String text = CredentialFiles.readIfExists(wellKnown, what);
            if (text != null) {
                return fromJson(fetch, parse(text, what + " " + wellKnown), what + " " + wellKnown, 0);
            }
        }
        return fromMetadataServer(fetch, wellKnown);
    }

    /** gcloud's file: in {@code $CLOUDSDK_CONFIG}, else {@code %APPDATA%\gcloud} or {@code ~/.config/gcloud}. */
    private Path wellKnownFile() {
        String configDir = environment.env("CLOUDSDK_CONFIG");
        if (configDir != null) {
            return CredentialFiles.path(configDir, "CLOUDSDK_CONFIG").resolve(WELL_KNOWN_FILE);
        }
        if (environment.windows()) {
            String appData = environment.env("APPDATA");
            return appData == null
                    ? null
                    : CredentialFiles.path(appData, "APPDATA").resolve("gcloud").resolve(WELL_KNOWN_FILE);
        }
        Path home = environment.home();
        return home == null ? null : home.resolve(".config").resolve("gcloud").resolve(WELL_KNOWN_FILE);
    }

    private Expiring<Token> fromMetadataServer(Fetch fetch, Path wellKnown) {
        String host = Objects.requireNonNullElse(environment.env("GCE_METADATA_HOST"), METADATA_HOST);
        String scopes = fetch.scopes().equals(List.of(DEFAULT_SCOPE))
                ? ""
                : "?scopes=" + encode(String.join(",", fetch.scopes()));
        URI uri = uri(
                "http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token" + scopes,
                "GCE_METADATA_HOST");
        String source = "the GCE metadata server";
        Instant now = clock.instant();
        CredentialHttp.Answer answer;
        try {
            answer = fetch.http()
                    .send(
                            source,
                            "GET",
                            uri,
                            Map.of("Metadata-Flavor", "Google"),
                            null,
                            null,
                            fetch.deadline().left());
        } catch (ProviderException e) {
            // Off Google Cloud this is the usual outcome: say where else credentials were looked for.
            throw new ProviderException(
                    e.type(),
                    null,
                    null,
                    "no Google credentials found for key " + fetch.key().keyId()
                            + ": GOOGLE_APPLICATION_CREDENTIALS is not set, "
                            + (wellKnown == null
                                    ? "no gcloud file location is known"
                                    : "no gcloud file at " + wellKnown)
                            + ", and " + e.getMessage());
        }
        return oauthToken(answer, source, uri, now, null);
    }

    /** Credentials from a credentials JSON, by its {@code type}. */
    private Expiring<Token> fromJson(Fetch fetch, JsonNode file, String where, int depth) {
        String type = file.path("type").asText("");
        String quotaProject = text(file, "quota_project_id");
        Expiring<Token> token = switch (type) {
            case "service_account" -> serviceAccount(fetch, file, where);
            case "authorized_user" -> authorizedUser(fetch, file, where);
            case "impersonated_service_account" -> impersonatedFile(fetch, file, where, depth);
            case "external_account" -> externalAccount(fetch, file, where);
            default ->
                throw CredentialFiles.invalid(where + ": credentials type "
                        + (type.isEmpty() ? "(none)" : "'" + shorten(type) + "'")
                        + " is not supported; use service_account, authorized_user, impersonated_service_account"
                        + " or external_account");
        };
        return quotaProject == null
                ? token
                : new Expiring<>(new Token(token.value().value(), quotaProject), token.refreshAt(), token.expiresAt());
    }

    private Expiring<Token> serviceAccount(Fetch fetch, JsonNode file, String where) {
        ServiceAccount account;
        try {
            account = ServiceAccount.parse(file.toString(), fetch.key().keyId(), json);
        } catch (ProviderException e) {
            throw CredentialFiles.invalid(where + ": " + e.getMessage());
        }
        URI tokenUri = fetch.tokenUri() != null
                ? fetch.tokenUri()
                : uri(
                        Objects.requireNonNullElse(account.tokenUri(), ServiceAccountTokens.DEFAULT_TOKEN_URI),
                        where + " token_uri");
        Expiring<String> token = serviceAccounts.fetchUncached(
                account,
                tokenUri,
                fetch.key().keyId(),
                fetch.http().connectTimeout(),
                fetch.deadline().left());
        return new Expiring<>(new Token(token.value(), null), token.refreshAt(), token.expiresAt());
    }

    private Expiring<Token> authorizedUser(Fetch fetch, JsonNode file, String where) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("client_id", required(file, "client_id", where));
        form.put("client_secret", required(file, "client_secret", where));
        form.put("refresh_token", required(file, "refresh_token", where));
        URI tokenUri = fetch.tokenUri() != null
                ? fetch.tokenUri()
                : uri(
                        Objects.requireNonNullElse(text(file, "token_uri"), ServiceAccountTokens.DEFAULT_TOKEN_URI),
                        where + " token_uri");
        Instant now = clock.instant();
        String source = "the OAuth token endpoint";
        CredentialHttp.Answer answer = fetch.http()
                .send(
                        source,
                        "POST",
                        tokenUri,
                        Map.of(),
                        form(form),
                        FORM,
                        fetch.deadline().left());
        return oauthToken(answer, source, tokenUri, now, null);
    }

    private Expiring<Token> impersonatedFile(Fetch fetch, JsonNode file, String where, int depth) {
        JsonNode source = file.get("source_credentials");
        if (source == null || !source.isObject() || depth >= MAX_NESTING) {
            throw CredentialFiles.invalid(where + ": impersonated_service_account needs source_credentials"
                    + " (a service_account or authorized_user object)");
        }
        Expiring<Token> sourceToken = fromJson(fetch, source, where + " source_credentials", depth + 1);
        List<String> delegates = new ArrayList<>();
        file.path("delegates").forEach(d -> delegates.add(d.asText()));
        return impersonate(
                fetch,
                sourceToken,
                uri(required(file, "service_account_impersonation_url", where), where + " impersonation url"),
                delegates);
    }

    /** IAM Credentials' generateAccessToken with the source's token: {@code {accessToken, expireTime}}. */
    private Expiring<Token> impersonate(Fetch fetch, Expiring<Token> source, URI url, List<String> delegates) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (!delegates.isEmpty()) {
            body.put("delegates", delegates);
        }
        body.put("scope", fetch.scopes());
        body.put("lifetime", "3600s");
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (java.io.IOException e) {
            throw new ProviderException(ErrorType.UNKNOWN, null, null, "impersonation request not serialisable");
        }
        String sourceName = "the IAM Credentials endpoint";
        Instant now = clock.instant();
        CredentialHttp.Answer answer = fetch.http()
                .send(
                        sourceName,
                        "POST",
                        url,
                        Map.of("Authorization", "Bearer " + source.value().value()),
                        bytes,
                        "application/json",
                        fetch.deadline().left());
        JsonNode root = answerJson(answer, sourceName, url);
        String token = tokenText(root.path("accessToken"), sourceName, url, answer.status());
        Instant expires;
        try {
            expires = Instant.parse(root.path("expireTime").asText(""));
        } catch (DateTimeParseException e) {
            expires = now.plus(Duration.ofHours(1));
        }
        return Expiring.of(new Token(token, source.value().quotaProject()), now, expires);
    }

    /** Workload identity federation: a subject token from a file or URL, exchanged at the STS, maybe impersonated. */
    private Expiring<Token> externalAccount(Fetch fetch, JsonNode file, String where) {
        JsonNode credentialSource = file.path("credential_source");
        String subjectToken;
        if (credentialSource.hasNonNull("file")) {
            Path path = CredentialFiles.path(credentialSource.path("file").asText(), where + " credential_source.file");
            subjectToken = subjectToken(
                    CredentialFiles.read(path, where + " credential_source.file"), credentialSource, where);
        } else if (credentialSource.hasNonNull("url")) {
            URI url = uri(credentialSource.path("url").asText(), where + " credential_source.url");
            Map<String, String> headers = new LinkedHashMap<>();
            credentialSource
                    .path("headers")
                    .fields()
                    .forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
            String source = "the workload identity token URL";
            CredentialHttp.Answer answer = fetch.http()
                    .send(
                            source,
                            "GET",
                            url,
                            headers,
                            null,
                            null,
                            fetch.deadline().left());
            if (!answer.isSuccess()) {
                throw status(source, url, answer.status(), null);
            }
            subjectToken = subjectToken(answer.body(), credentialSource, where);
        } else {
            throw CredentialFiles.invalid(where + ": external_account credential_source must have a file or a url"
                    + " (aws and executable sources are not supported)");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", TOKEN_EXCHANGE);
        form.put("audience", required(file, "audience", where));
        form.put("scope", String.join(" ", fetch.scopes()));
        form.put("requested_token_type", ACCESS_TOKEN_TYPE);
        form.put("subject_token_type", required(file, "subject_token_type", where));
        form.put("subject_token", subjectToken);
        URI tokenUrl = fetch.tokenUri() != null
                ? fetch.tokenUri()
                : uri(required(file, "token_url", where), where + " token_url");
        Instant now = clock.instant();
        String source = "the Security Token Service";
        CredentialHttp.Answer answer = fetch.http()
                .send(
                        source,
                        "POST",
                        tokenUrl,
                        Map.of(),
                        form(form),
                        FORM,
                        fetch.deadline().left());
        Expiring<Token> federated = oauthToken(answer, source, tokenUrl, now, null);
        String impersonationUrl = text(file, "service_account_impersonation_url");
        return impersonationUrl == null
                ? federated
                : impersonate(fetch, federated, uri(impersonationUrl, where + " impersonation url"), List.of());
    }

    private String subjectToken(String text, JsonNode credentialSource, String where) {
        JsonNode format = credentialSource.path("format");
        String value = text.strip();
        if ("json".equals(format.path("type").asText(""))) {
            String field = format.path("subject_token_field_name").asText("");
            JsonNode root = tryParse(value);
            value = root == null ? "" : root.path(field).asText("");
        }
        if (value.isEmpty()) {
            throw CredentialFiles.invalid(where + ": the credential source gave no subject token");
        }
        return value;
    }

    /** An OAuth token answer ({@code access_token}, {@code expires_in}), or its refusal, classified. */
    private Expiring<Token> oauthToken(
            CredentialHttp.Answer answer, String source, URI uri, Instant now, String quotaProject) {
        JsonNode root = answerJson(answer, source, uri);
        String token = tokenText(root.path("access_token"), source, uri, answer.status());
        long seconds = root.path("expires_in").asLong(3600);
        if (seconds <= 0 || seconds > Duration.ofDays(1).toSeconds()) {
            seconds = 3600; // an absurd lifetime is not trusted; the API's 401 would still renew it
        }
        return Expiring.of(new Token(token, quotaProject), now, now.plusSeconds(seconds));
    }

    private JsonNode answerJson(CredentialHttp.Answer answer, String source, URI uri) {
        JsonNode root = tryParse(answer.body());
        if (!answer.isSuccess()) {
            throw status(source, uri, answer.status(), root);
        }
        if (root == null || !root.isObject()) {
            throw new ProviderException(
                    ErrorType.INVALID_RESPONSE, answer.status(), null, source + " (" + uri + ") answered no JSON");
        }
        return root;
    }

    private static String tokenText(JsonNode node, String source, URI uri, int status) {
        String token = node.isTextual() ? node.asText() : "";
        if (token.isEmpty()) {
            throw new ProviderException(
                    ErrorType.INVALID_RESPONSE, status, null, source + " (" + uri + ") answered no access token");
        }
        String problem = SecretRef.headerValueProblem(token);
        if (problem != null) {
            throw new ProviderException(
                    ErrorType.INVALID_AUTH, status, null, source + " (" + uri + "): its access token " + problem);
        }
        return token;
    }

    /** A refusal by status; the OAuth {@code error} code is quoted when it is a plain word. */
    private static ProviderException status(String source, URI uri, int status, JsonNode root) {
        ErrorType type = status == 400 || status == 401 || status == 404
                ? ErrorType.INVALID_AUTH
                : status == 403
                        ? ErrorType.PERMISSION_DENIED
                        : status == 429
                                ? ErrorType.RATE_LIMIT
                                : status >= 500 ? ErrorType.TRANSIENT_SERVER_ERROR : ErrorType.INVALID_AUTH;
        String code = root == null ? "" : root.path("error").asText("");
        String detail = code.matches("[A-Za-z_.]{1,64}") ? " " + code : "";
        return new ProviderException(type, status, null, source + " (" + uri + ") answered HTTP " + status + detail);
    }

    private JsonNode parse(String text, String where) {
        JsonNode root = tryParse(text);
        if (root == null || !root.isObject()) {
            throw CredentialFiles.invalid(where + " is not a credentials JSON object");
        }
        return root;
    }

    private JsonNode tryParse(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (Exception e) {
            return null; // the exception's message may quote the text
        }
    }

    private static List<String> scopes(KeySpec key) {
        Object scopes = key.authConfig().get("scopes");
        if (scopes instanceof List<?> list && !list.isEmpty()) {
            return list.stream().map(String::valueOf).map(String::strip).collect(Collectors.toList());
        }
        if (scopes instanceof String text && !text.isBlank()) {
            return List.of(text.strip().split("[\\s,]+"));
        }
        return List.of(DEFAULT_SCOPE);
    }

    private static String setting(KeySpec key, String name) {
        Object value = key.authConfig().get(name);
        return value instanceof String text && !text.isBlank() ? text.strip() : null;
    }

    private static String text(JsonNode file, String field) {
        String value = file.path(field).asText("");
        return value.isBlank() ? null : value.strip();
    }

    private static String required(JsonNode file, String field, String where) {
        String value = text(file, field);
        if (value == null) {
            throw CredentialFiles.invalid(where + " has no " + field);
        }
        return value;
    }

    private static URI uri(String text, String what) {
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw CredentialFiles.invalid(what + " is not an absolute http(s) URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw CredentialFiles.invalid(what + " is not a valid URL");
        }
    }

    private static byte[] form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String shorten(String text) {
        return text.length() > 40 || !text.matches("[A-Za-z0-9_.-]+") ? "(not shown)" : text;
    }
}
