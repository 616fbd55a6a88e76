package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.CredentialEnvironment;
import dev.llmrotate.config.KeySpec;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The AWS credentials of an {@code auth_method: default_chain} key, found as the AWS SDK for Java 2.x's default
 * provider finds them, first match wins:
 *
 * <ol>
 *   <li>system properties {@code aws.accessKeyId}, {@code aws.secretAccessKey} (or {@code aws.secretKey}),
 *       {@code aws.sessionToken};
 *   <li>environment variables {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN};
 *   <li>web identity: {@code AWS_WEB_IDENTITY_TOKEN_FILE} and {@code AWS_ROLE_ARN} (EKS IRSA), exchanged by STS
 *       {@code AssumeRoleWithWebIdentity};
 *   <li>the profile {@code $AWS_PROFILE} (or {@code aws.profile}, else {@code default}) of the shared files, see
 *       {@link AwsProfiles}: static keys, {@code role_arn} with {@code source_profile} or {@code credential_source},
 *       {@code role_arn} with {@code web_identity_token_file}, or {@code credential_process};
 *   <li>container credentials: {@code AWS_CONTAINER_CREDENTIALS_RELATIVE_URI} (on {@code 169.254.170.2}) or
 *       {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}, with {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE} or
 *       {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} as the {@code Authorization} header (ECS, EKS Pod Identity);
 *   <li>instance metadata, IMDSv2 ({@code PUT /latest/api/token}, then the role and its credentials; IMDSv1 when the
 *       token is refused with 403, 404 or 405), at {@code $AWS_EC2_METADATA_SERVICE_ENDPOINT} or
 *       {@code http://169.254.169.254}, unless {@code AWS_EC2_METADATA_DISABLED=true}.
 * </ol>
 *
 * <p>{@code auth_config} narrows it: {@code profile} uses that profile only (so the keys of a pool can be different
 * accounts); {@code role_arn} assumes that role ({@code role_session_name}, {@code external_id}) with the credentials
 * found, or, with {@code web_identity_token_file}, by web identity. STS is {@code $AWS_ENDPOINT_URL_STS}, else
 * {@code $AWS_ENDPOINT_URL}, else {@code https://sts.{region}.amazonaws.com}. SSO profiles are refused with a hint.
 *
 * <p>Each key's credentials are cached and refreshed five minutes before they expire (static ones are looked up again
 * every five minutes); {@link #invalidate} drops them after an expired-token answer. Every fetch has the attempt's
 * deadline and a size limit; messages name the source, never a secret.
 */
final class AwsCredentialChain {
    static final String CONTAINER_HOST = "http://169.254.170.2";
    static final String IMDS_ENDPOINT = "http://169.254.169.254";
    private static final String STS_VERSION = "2011-06-15";
    private static final int MAX_PROFILE_DEPTH = 4;
    private static final Pattern XML_CODE = Pattern.compile("<Code>([A-Za-z.]{1,64})</Code>");

    private final CredentialEnvironment environment;
    private final ObjectMapper json;
    private final Clock clock;
    private final SigV4Signer signer;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Duration, CredentialHttp> http = new ConcurrentHashMap<>();

    private record Entry(String fingerprint, RefreshingCredential<AwsCredentials> credential) {}

    /** One lookup: the key, its region, the deadline, the client. */
    private record Fetch(KeySpec key, String region, Deadline deadline, CredentialHttp http) {}

    AwsCredentialChain(CredentialEnvironment environment, ObjectMapper json, Clock clock, SigV4Signer signer) {
        this.environment = environment;
        this.json = json;
        this.clock = clock;
        this.signer = signer;
    }

    AwsCredentials credentials(Attempt attempt, String region, Duration timeout) {
        KeySpec key = attempt.key();
        String fingerprint = key.authConfig().toString();
        Entry entry = entries.compute(
                key.keyId(),
                (id, old) -> old != null && old.fingerprint().equals(fingerprint)
                        ? old
                        : new Entry(fingerprint, new RefreshingCredential<>(clock)));
        CredentialHttp client = http.computeIfAbsent(attempt.settings().connectTimeout(), CredentialHttp::new);
        return entry.credential().get(left -> fetch(new Fetch(key, region, Deadline.in(left), client)), timeout);
    }

    void invalidate(KeySpec key) {
        Entry entry = entries.get(key.keyId());
        if (entry != null) {
            entry.credential().invalidate();
        }
    }

    private Expiring<AwsCredentials> fetch(Fetch fetch) {
        String roleArn = setting(fetch.key(), "role_arn");
        String sessionName = setting(fetch.key(), "role_session_name");
        String tokenFile = setting(fetch.key(), "web_identity_token_file");
        if (roleArn != null && tokenFile != null) {
            return webIdentity(fetch, tokenFile, roleArn, sessionName, "auth_config.web_identity_token_file");
        }
        String profile = setting(fetch.key(), "profile");
        Expiring<AwsCredentials> found =
                profile != null ? fromProfile(fetch, AwsProfiles.load(environment), profile, 0) : chain(fetch);
        return roleArn == null
                ? found
                : assumeRole(fetch, found.value(), roleArn, sessionName, setting(fetch.key(), "external_id"));
    }

    /** The default chain, in the SDK's order. */
    private Expiring<AwsCredentials> chain(Fetch fetch) {
        Instant now = clock.instant();
        String id = environment.property("aws.accessKeyId");
        if (id != null) {
            String secret = Objects.requireNonNullElse(
                    environment.property("aws.secretAccessKey"),
                    Objects.requireNonNullElse(environment.property("aws.secretKey"), ""));
            return Expiring.of(
                    credentials(id, secret, environment.property("aws.sessionToken"), "system properties aws.*"),
                    now,
                    null);
        }
        id = environment.env("AWS_ACCESS_KEY_ID");
        if (id != null) {
            return Expiring.of(
                    credentials(
                            id,
                            Objects.requireNonNullElse(environment.env("AWS_SECRET_ACCESS_KEY"), ""),
                            environment.env("AWS_SESSION_TOKEN"),
                            "environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"),
                    now,
                    null);
        }
        String tokenFile =
                first(environment.env("AWS_WEB_IDENTITY_TOKEN_FILE"), environment.property("aws.webIdentityTokenFile"));
        String roleArn = first(environment.env("AWS_ROLE_ARN"), environment.property("aws.roleArn"));
        if (tokenFile != null && roleArn != null) {
            return webIdentity(
                    fetch,
                    tokenFile,
                    roleArn,
                    first(environment.env("AWS_ROLE_SESSION_NAME"), environment.property("aws.roleSessionName")),
                    "AWS_WEB_IDENTITY_TOKEN_FILE");
        }
        String profileName = first(environment.env("AWS_PROFILE"), environment.property("aws.profile"));
        AwsProfiles profiles = AwsProfiles.load(environment);
        if (profiles.profile(profileName == null ? "default" : profileName) != null) {
            return fromProfile(fetch, profiles, profileName == null ? "default" : profileName, 0);
        }
        if (profileName != null) {
            throw CredentialFiles.invalid(
                    "AWS_PROFILE names profile '" + profileName + "', which is not in " + profiles.where());
        }
        if (containerConfigured()) {
            return container(fetch);
        }
        if ("true".equalsIgnoreCase(environment.env("AWS_EC2_METADATA_DISABLED"))) {
            throw CredentialFiles.invalid("no AWS credentials found for key "
                    + fetch.key().keyId()
                    + ": no aws.* system properties, no AWS_ACCESS_KEY_ID, no web identity token, no profile"
                    + " 'default' in " + profiles.where() + ", no container credentials, and instance metadata is"
                    + " disabled");
        }
        try {
            return instanceMetadata(fetch);
        } catch (ProviderException e) {
            throw new ProviderException(
                    e.type(),
                    e.httpStatus(),
                    null,
                    "no AWS credentials found for key " + fetch.key().keyId() + ": no aws.* system properties, no"
                            + " AWS_ACCESS_KEY_ID, no web identity token, no profile 'default' in " + profiles.where()
                            + ", no container credentials, and " + e.getMessage());
        }
    }

    private Expiring<AwsCredentials> fromProfile(Fetch fetch, AwsProfiles profiles, String name, int depth) {
        Map<String, String> profile = profiles.profile(name);
        String where = "profile '" + name + "'";
        if (profile == null) {
            throw CredentialFiles.invalid(where + " is not in " + profiles.where());
        }
        if (depth > MAX_PROFILE_DEPTH) {
            throw CredentialFiles.invalid(
                    where + ": source_profile chain is longer than " + MAX_PROFILE_DEPTH + " (a loop?)");
        }
        Instant now = clock.instant();
        String roleArn = profile.get("role_arn");
        if (roleArn != null) {
            String sessionName = profile.get("role_session_name");
            if (profile.containsKey("web_identity_token_file")) {
                return webIdentity(fetch, profile.get("web_identity_token_file"), roleArn, sessionName, where);
            }
            Expiring<AwsCredentials> source;
            if (profile.containsKey("source_profile")) {
                String sourceName = profile.get("source_profile");
                Map<String, String> sourceProfile = profiles.profile(sourceName);
                // A source profile's own static keys are used even when it names a role too, as the SDKs do.
                source = sourceProfile != null
                                && sourceProfile.containsKey("aws_access_key_id")
                                && !sourceName.equals(name)
                        ? staticKeys(sourceProfile, "profile '" + sourceName + "'", now)
                        : fromProfile(fetch, profiles, sourceName, depth + 1);
            } else if (profile.containsKey("credential_source")) {
                source = credentialSource(fetch, profile.get("credential_source"), where);
            } else {
                throw CredentialFiles.invalid(
                        where + ": role_arn needs source_profile, credential_source or" + " web_identity_token_file");
            }
            return assumeRole(fetch, source.value(), roleArn, sessionName, profile.get("external_id"));
        }
        if (profile.containsKey("aws_access_key_id")) {
            return staticKeys(profile, where, now);
        }
        if (profile.containsKey("credential_process")) {
            return CredentialProcess.run(profile.get("credential_process"), where, json, now, fetch.deadline());
        }
        if (profile.containsKey("sso_session") || profile.containsKey("sso_start_url")) {
            throw CredentialFiles.invalid(where + " uses IAM Identity Center (SSO), which llm-rotate does not read;"
                    + " add credential_process = aws configure export-credentials --profile " + name
                    + " --format process to a profile, or use the environment variables");
        }
        throw CredentialFiles.invalid(
                where + " has no credentials (aws_access_key_id, role_arn or" + " credential_process)");
    }

    private Expiring<AwsCredentials> staticKeys(Map<String, String> profile, String where, Instant now) {
        return Expiring.of(
                credentials(
                        profile.get("aws_access_key_id"),
                        Objects.requireNonNullElse(profile.get("aws_secret_access_key"), ""),
                        profile.get("aws_session_token"),
                        where),
                now,
                null);
    }

    private Expiring<AwsCredentials> credentialSource(Fetch fetch, String source, String where) {
        return switch (source) {
            case "Environment" -> {
                String id = environment.env("AWS_ACCESS_KEY_ID");
                if (id == null) {
                    throw CredentialFiles.invalid(
                            where + ": credential_source Environment but AWS_ACCESS_KEY_ID is" + " not set");
                }
                yield Expiring.of(
                        credentials(
                                id,
                                Objects.requireNonNullElse(environment.env("AWS_SECRET_ACCESS_KEY"), ""),
                                environment.env("AWS_SESSION_TOKEN"),
                                "environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"),
                        clock.instant(),
                        null);
            }
            case "Ec2InstanceMetadata" -> instanceMetadata(fetch);
            case "EcsContainer" -> container(fetch);
            default ->
                throw CredentialFiles.invalid(
                        where + ": credential_source must be Environment," + " Ec2InstanceMetadata or EcsContainer");
        };
    }

    /** STS AssumeRoleWithWebIdentity with the token in {@code tokenFile}; the call is not signed. */
    private Expiring<AwsCredentials> webIdentity(
            Fetch fetch, String tokenFile, String roleArn, String sessionName, String where) {
        String token = CredentialFiles.read(CredentialFiles.path(tokenFile, where), "the web identity token file")
                .strip();
        if (token.isEmpty()) {
            throw CredentialFiles.invalid("the web identity token file " + tokenFile + " is empty");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", "AssumeRoleWithWebIdentity");
        form.put("Version", STS_VERSION);
        form.put("RoleArn", roleArn);
        form.put("RoleSessionName", sessionName(sessionName));
        form.put("WebIdentityToken", token);
        return sts(fetch, form, null, "STS AssumeRoleWithWebIdentity");
    }

    /** STS AssumeRole, signed with {@code source}. */
    private Expiring<AwsCredentials> assumeRole(
            Fetch fetch, AwsCredentials source, String roleArn, String sessionName, String externalId) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("Action", "AssumeRole");
        form.put("Version", STS_VERSION);
        form.put("RoleArn", roleArn);
        form.put("RoleSessionName", sessionName(sessionName));
        if (externalId != null) {
            form.put("ExternalId", externalId);
        }
        return sts(fetch, form, source, "STS AssumeRole");
    }

    private Expiring<AwsCredentials> sts(
            Fetch fetch, Map<String, String> form, AwsCredentials signWith, String source) {
        URI endpoint = stsEndpoint(fetch.region());
        byte[] body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"))
                .getBytes(StandardCharsets.UTF_8);
        String contentType = "application/x-www-form-urlencoded; charset=utf-8";
        Map<String, String> headers = new LinkedHashMap<>();
        if (signWith != null) {
            headers.putAll(signer.sign(
                            "POST",
                            endpoint,
                            Map.of("content-type", contentType),
                            body,
                            signWith,
                            fetch.region(),
                            "sts")
                    .headers());
        }
        Instant now = clock.instant();
        CredentialHttp.Answer answer = fetch.http()
                .send(
                        source,
                        "POST",
                        endpoint,
                        headers,
                        body,
                        contentType,
                        fetch.deadline().left());
        if (!answer.isSuccess()) {
            Matcher code = XML_CODE.matcher(answer.body());
            throw new ProviderException(
                    refusal(answer.status()),
                    answer.status(),
                    null,
                    source + " (" + endpoint + ") answered HTTP " + answer.status()
                            + (code.find() ? " " + code.group(1) : "") + " for role " + form.get("RoleArn"));
        }
        String id = xml(answer.body(), "AccessKeyId");
        String secret = xml(answer.body(), "SecretAccessKey");
        String token = xml(answer.body(), "SessionToken");
        if (id == null || secret == null || token == null) {
            throw new ProviderException(
                    ErrorType.INVALID_RESPONSE,
                    answer.status(),
                    null,
                    source + " (" + endpoint + ") answered no" + " credentials");
        }
        return Expiring.of(credentials(id, secret, token, source), now, expiration(xml(answer.body(), "Expiration")));
    }

    private URI stsEndpoint(String region) {
        String configured = first(environment.env("AWS_ENDPOINT_URL_STS"), environment.env("AWS_ENDPOINT_URL"));
        String url = configured != null ? configured : "https://sts." + region + ".amazonaws.com";
        try {
            URI uri = new URI(url.endsWith("/") ? url : url + "/");
            if (uri.getHost() == null) {
                throw CredentialFiles.invalid("the STS endpoint " + url + " is not an absolute URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw CredentialFiles.invalid("the STS endpoint (AWS_ENDPOINT_URL_STS) is not a valid URL");
        }
    }

    private boolean containerConfigured() {
        return environment.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != null
                || environment.env("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null;
    }

    /** ECS / EKS Pod Identity: {@code GET} the container endpoint, with its authorization token if one is set. */
    private Expiring<AwsCredentials> container(Fetch fetch) {
        String relative = environment.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        String url =
                relative != null ? CONTAINER_HOST + relative : environment.env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        if (url == null) {
            throw CredentialFiles.invalid("no container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and"
                    + " AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw CredentialFiles.invalid("the container credentials URI is not a valid URL");
        }
        if (relative == null && !allowedFullUri(uri)) {
            throw CredentialFiles.invalid("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or on a loopback or the"
                    + " ECS/EKS link-local host, got host " + uri.getHost());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String tokenFile = environment.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        String token = tokenFile != null
                ? CredentialFiles.read(
                                CredentialFiles.path(tokenFile, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                                "the container authorization token file")
                        .strip()
                : environment.env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (token != null) {
            headers.put("Authorization", token);
        }
        return metadataCredentials(fetch, "the container credentials endpoint", uri, headers);
    }

    private static boolean allowedFullUri(URI uri) {
        String host = uri.getHost();
        if ("https".equals(uri.getScheme())) {
            return true;
        }
        return "http".equals(uri.getScheme())
                && host != null
                && (host.equals("localhost")
                        || host.startsWith("127.")
                        || host.equals("[::1]")
                        || host.equals("169.254.170.2")
                        || host.equals("169.254.170.23")
                        || host.equalsIgnoreCase("[fd00:ec2::23]"));
    }

    /** IMDSv2: a session token, the instance profile's role, its credentials. */
    private Expiring<AwsCredentials> instanceMetadata(Fetch fetch) {
        String endpoint =
                Objects.requireNonNullElse(environment.env("AWS_EC2_METADATA_SERVICE_ENDPOINT"), IMDS_ENDPOINT);
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        String source = "the EC2 instance metadata service";
        URI tokenUri = uri(base + "/latest/api/token", "AWS_EC2_METADATA_SERVICE_ENDPOINT");
        CredentialHttp.Answer tokenAnswer = fetch.http()
                .send(
                        source,
                        "PUT",
                        tokenUri,
                        Map.of("x-aws-ec2-metadata-token-ttl-seconds", "21600"),
                        null,
                        null,
                        fetch.deadline().left());
        Map<String, String> headers = new LinkedHashMap<>();
        if (tokenAnswer.isSuccess()) {
            String token = tokenAnswer.body().strip();
            if (token.isEmpty() || dev.llmrotate.config.SecretRef.headerValueProblem(token) != null) {
                throw new ProviderException(
                        ErrorType.INVALID_RESPONSE,
                        tokenAnswer.status(),
                        null,
                        source + " (" + tokenUri + ")" + " answered no usable session token");
            }
            headers.put("x-aws-ec2-metadata-token", token);
        } else if (!List.of(403, 404, 405).contains(tokenAnswer.status())) {
            throw new ProviderException(
                    refusal(tokenAnswer.status()),
                    tokenAnswer.status(),
                    null,
                    source + " (" + tokenUri + ") answered HTTP " + tokenAnswer.status());
        }
        URI rolesUri = uri(base + "/latest/meta-data/iam/security-credentials/", "AWS_EC2_METADATA_SERVICE_ENDPOINT");
        CredentialHttp.Answer roles = fetch.http()
                .send(
                        source,
                        "GET",
                        rolesUri,
                        headers,
                        null,
                        null,
                        fetch.deadline().left());
        if (!roles.isSuccess()) {
            throw new ProviderException(
                    roles.status() == 404 ? ErrorType.INVALID_AUTH : refusal(roles.status()),
                    roles.status(),
                    null,
                    source + " (" + rolesUri + ") answered HTTP " + roles.status()
                            + (roles.status() == 404 ? ": the instance has no instance profile" : ""));
        }
        String role = roles.body().strip().split("\\R", 2)[0].strip();
        if (!role.matches("[\\w+=,.@-]{1,128}")) {
            throw new ProviderException(
                    ErrorType.INVALID_RESPONSE,
                    roles.status(),
                    null,
                    source + " (" + rolesUri + ") answered no role" + " name");
        }
        return metadataCredentials(fetch, source, uri(rolesUri + role, "the role name"), headers);
    }

    /** The credentials JSON of the container endpoint and IMDS: AccessKeyId, SecretAccessKey, Token, Expiration. */
    private Expiring<AwsCredentials> metadataCredentials(
            Fetch fetch, String source, URI uri, Map<String, String> headers) {
        Instant now = clock.instant();
        CredentialHttp.Answer answer = fetch.http()
                .send(source, "GET", uri, headers, null, null, fetch.deadline().left());
        if (!answer.isSuccess()) {
            throw new ProviderException(
                    refusal(answer.status()),
                    answer.status(),
                    null,
                    source + " (" + uri + ") answered HTTP " + answer.status());
        }
        JsonNode root;
        try {
            root = json.readTree(answer.body());
        } catch (Exception e) {
            root = null; // its message may quote the body
        }
        if (root == null || !root.isObject()) {
            throw new ProviderException(
                    ErrorType.INVALID_RESPONSE, answer.status(), null, source + " (" + uri + ") answered no JSON");
        }
        String code = root.path("Code").asText("Success");
        if (!code.equals("Success")) {
            throw new ProviderException(
                    ErrorType.INVALID_AUTH,
                    answer.status(),
                    null,
                    source + " (" + uri + ") answered Code " + (code.matches("[A-Za-z]{1,64}") ? code : "(not shown)"));
        }
        String id = root.path("AccessKeyId").asText("");
        String secret = root.path("SecretAccessKey").asText("");
        if (id.isEmpty() || secret.isEmpty()) {
            throw new ProviderException(
                    ErrorType.INVALID_RESPONSE,
                    answer.status(),
                    null,
                    source + " (" + uri + ") answered no" + " AccessKeyId or SecretAccessKey");
        }
        String token = root.path("Token").asText(root.path("SessionToken").asText(""));
        return Expiring.of(
                credentials(id, secret, token, source),
                now,
                expiration(root.path("Expiration").asText(null)));
    }

    static AwsCredentials credentials(String id, String secret, String token, String source) {
        try {
            return new AwsCredentials(id, secret, token);
        } catch (IllegalArgumentException e) {
            throw CredentialFiles.invalid(source + ": " + e.getMessage()); // the message names no value
        }
    }

    static Instant expiration(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text.strip()).toInstant();
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }

    private static ErrorType refusal(int status) {
        return status == 429
                ? ErrorType.RATE_LIMIT
                : status >= 500
                        ? ErrorType.TRANSIENT_SERVER_ERROR
                        : status == 403 ? ErrorType.PERMISSION_DENIED : ErrorType.INVALID_AUTH;
    }

    private static String xml(String body, String element) {
        Matcher m =
                Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(body);
        return m.find() ? m.group(1).strip() : null;
    }

    private String sessionName(String configured) {
        return configured != null ? configured : "llm-rotate-" + clock.millis();
    }

    private static String setting(KeySpec key, String name) {
        Object value = key.authConfig().get(name);
        return value instanceof String text && !text.isBlank() ? text.strip() : null;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    private static URI uri(String text, String what) {
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw CredentialFiles.invalid(what + " does not make a valid URL");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
