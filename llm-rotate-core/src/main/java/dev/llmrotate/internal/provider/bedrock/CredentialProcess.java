package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.cloud.CredentialFiles;
import dev.llmrotate.internal.provider.cloud.CredentialFiles.Deadline;
import dev.llmrotate.internal.provider.cloud.CredentialHttp;
import dev.llmrotate.internal.provider.cloud.Expiring;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A profile's {@code credential_process}: the command runs through the shell ({@code sh -c}, {@code cmd.exe /C} on
 * Windows) within the attempt's deadline and prints {@code {"Version": 1, "AccessKeyId": …, "SecretAccessKey": …,
 * "SessionToken": …, "Expiration": …}}. Its standard error is discarded (it may echo secrets); its output is read up
 * to {@link CredentialHttp#MAX_ANSWER_BYTES} bytes. Failures name the profile and the exit code, never the output.
 */
final class CredentialProcess {
    private CredentialProcess() {}

    static Expiring<AwsCredentials> run(
            String command, String where, ObjectMapper json, Instant now, Deadline deadline) {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        ProcessBuilder builder =
                new ProcessBuilder(windows ? List.of("cmd.exe", "/C", command) : List.of("sh", "-c", command));
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File(windows ? "NUL" : "/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw CredentialFiles.invalid(where + ": credential_process cannot be started");
        }
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        byte[] bytes;
        try {
            bytes = output.get(deadline.left().toNanos(), TimeUnit.NANOSECONDS);
            if (!process.waitFor(deadline.left().toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException();
            }
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new ProviderException(
                    ErrorType.TIMEOUT,
                    null,
                    null,
                    where + ": credential_process did not finish within " + deadline.total());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CallCancelledException("interrupted waiting for credential_process");
        } catch (ExecutionException e) {
            process.destroyForcibly();
            throw CredentialFiles.invalid(where + ": credential_process output cannot be read");
        }
        if (process.exitValue() != 0) {
            throw CredentialFiles.invalid(where + ": credential_process exited with " + process.exitValue());
        }
        if (bytes.length > CredentialHttp.MAX_ANSWER_BYTES) {
            throw CredentialFiles.invalid(
                    where + ": credential_process printed more than " + CredentialHttp.MAX_ANSWER_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = json.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            root = null; // its message may quote the output
        }
        if (root == null || !root.isObject() || root.path("Version").asInt(0) != 1) {
            throw CredentialFiles.invalid(where + ": credential_process did not print a Version 1 credentials JSON");
        }
        AwsCredentials credentials = AwsCredentialChain.credentials(
                root.path("AccessKeyId").asText(""),
                root.path("SecretAccessKey").asText(""),
                root.path("SessionToken").asText(null),
                where + " credential_process");
        return Expiring.of(
                credentials,
                now,
                AwsCredentialChain.expiration(root.path("Expiration").asText(null)));
    }

    private static byte[] read(InputStream in) {
        try (in) {
            byte[] bytes = in.readNBytes(CredentialHttp.MAX_ANSWER_BYTES + 1);
            in.transferTo(java.io.OutputStream.nullOutputStream()); // let the process finish writing
            return bytes;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
