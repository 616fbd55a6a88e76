package dev.llmrotate.internal.provider.bedrock;

import dev.llmrotate.config.CredentialEnvironment;
import dev.llmrotate.internal.provider.cloud.CredentialFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The AWS shared config and credentials files, as the SDKs read them: {@code $AWS_SHARED_CREDENTIALS_FILE} (default
 * {@code ~/.aws/credentials}, sections {@code [name]}) and {@code $AWS_CONFIG_FILE} (default {@code ~/.aws/config},
 * sections {@code [profile name]} and {@code [default]}). A profile's properties are the union of both, the credentials
 * file winning. Lines starting with {@code #} or {@code ;} are comments; indented lines (sub-properties) are skipped;
 * property names are case-insensitive.
 *
 * @param profiles properties by profile name
 * @param where the files read, for messages
 */
record AwsProfiles(Map<String, Map<String, String>> profiles, String where) {

    static AwsProfiles load(CredentialEnvironment environment) {
        Path home = environment.home();
        Path credentials = file(environment, "AWS_SHARED_CREDENTIALS_FILE", home, "credentials");
        Path config = file(environment, "AWS_CONFIG_FILE", home, "config");
        Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
        if (config != null) {
            parse(CredentialFiles.readIfExists(config, "the AWS config file"), true, profiles);
        }
        if (credentials != null) {
            parse(CredentialFiles.readIfExists(credentials, "the AWS credentials file"), false, profiles);
        }
        return new AwsProfiles(profiles, credentials + " and " + config);
    }

    Map<String, String> profile(String name) {
        return profiles.get(name);
    }

    private static Path file(CredentialEnvironment environment, String variable, Path home, String name) {
        String named = environment.env(variable);
        if (named != null) {
            return CredentialFiles.path(named, variable);
        }
        return home == null ? null : home.resolve(".aws").resolve(name);
    }

    private static void parse(String text, boolean configFile, Map<String, Map<String, String>> profiles) {
        if (text == null) {
            return;
        }
        Map<String, String> section = null;
        for (String raw : text.split("\\R")) {
            if (raw.isBlank() || raw.startsWith(" ") || raw.startsWith("\t")) {
                continue;
            }
            String line = raw.strip();
            if (line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                int end = line.indexOf(']');
                String name = end < 0 ? "" : line.substring(1, end).strip();
                if (configFile && name.startsWith("profile ")) {
                    name = name.substring("profile ".length()).strip();
                } else if (configFile && !name.equals("default")) {
                    name = ""; // [sso-session x], [services x]: not profiles
                }
                section = name.isEmpty() ? null : profiles.computeIfAbsent(name, n -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (section != null && eq > 0) {
                String value = line.substring(eq + 1).strip();
                String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                section.put(key, value); // the credentials file is read last: it wins
            }
        }
    }
}
