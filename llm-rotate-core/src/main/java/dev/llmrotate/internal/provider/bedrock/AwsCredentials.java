package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.SecretRef;
import java.util.Objects;

/**
 * AWS credentials for SigV4: an access key id, its secret access key and, for temporary credentials, a session
 * token. {@link #toString()} shows the access key id only (AWS does not treat it as secret); the secret key and the
 * session token never appear in any output. The access key id and the session token go into request headers, so a
 * control, zero-width or non-ASCII character in either is refused with a message that names its code point and
 * position, never the value.
 *
 * @param accessKeyId e.g. {@code AKIA…} (long-term) or {@code ASIA…} (temporary)
 * @param secretAccessKey the signing secret
 * @param sessionToken the STS session token of temporary credentials, or null
 */
public record AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {

    public AwsCredentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        if (accessKeyId.isBlank() || secretAccessKey.isBlank()) {
            throw new IllegalArgumentException("access key id and secret access key must not be blank");
        }
        sessionToken = sessionToken == null || sessionToken.isBlank() ? null : sessionToken;
        // Both are sent in headers (Authorization, X-Amz-Security-Token); the JDK would refuse a bad one with a
        // message quoting it.
        headerSafe(accessKeyId, "access_key_id");
        if (sessionToken != null) {
            headerSafe(sessionToken, "session_token");
        }
    }

    private static void headerSafe(String value, String field) {
        String problem = SecretRef.headerValueProblem(value);
        if (problem != null) {
            throw new IllegalArgumentException("the credentials' " + field + " " + problem);
        }
    }

    /**
     * Reads the JSON a Bedrock key's {@code secret_ref} resolves to. Three spellings are accepted, one per object:
     * {@code access_key_id}/{@code secret_access_key}/{@code session_token}, the AWS config-file names
     * {@code aws_access_key_id}/{@code aws_secret_access_key}/{@code aws_session_token}, and the STS and
     * {@code credential_process} output names {@code AccessKeyId}/{@code SecretAccessKey}/{@code SessionToken}.
     *
     * @throws IllegalArgumentException naming the missing field or the character a header cannot carry; the message
     *     never contains the secret
     */
    public static AwsCredentials parse(String secret, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(secret);
        } catch (Exception e) {
            // The exception text may quote the secret; only say what is wrong.
            throw new IllegalArgumentException("the secret is not JSON; an aws_bedrock key's secret_ref must resolve"
                    + " to {\"access_key_id\": …, \"secret_access_key\": …, \"session_token\": … (optional)}");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(
                    "the secret is not a JSON object with access_key_id and" + " secret_access_key");
        }
        String accessKeyId = field(root, "access_key_id", "aws_access_key_id", "AccessKeyId");
        String secretAccessKey = field(root, "secret_access_key", "aws_secret_access_key", "SecretAccessKey");
        String sessionToken = field(root, "session_token", "aws_session_token", "SessionToken");
        if (accessKeyId == null) {
            throw new IllegalArgumentException("the credentials JSON has no access_key_id");
        }
        if (secretAccessKey == null) {
            throw new IllegalArgumentException("the credentials JSON has no secret_access_key");
        }
        return new AwsCredentials(accessKeyId, secretAccessKey, sessionToken);
    }

    private static String field(JsonNode root, String... names) {
        for (String name : names) {
            JsonNode value = root.get(name);
            if (value != null && value.isTextual() && !value.asText().isBlank()) {
                return value.asText().strip();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "AwsCredentials[accessKeyId=" + accessKeyId + (sessionToken == null ? "" : ", temporary") + "]";
    }
}
