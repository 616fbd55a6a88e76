package dev.llmrotate.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The server module's version, from the properties file Maven filters at build time. */
public final class ServerVersion {
    private static final String VERSION = load();

    private ServerVersion() {}

    /**
     * The version.
     *
     * @return e.g. {@code 0.1.0-SNAPSHOT}, or {@code unknown} when run from unfiltered classes
     */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = ServerVersion.class.getResourceAsStream("llm-rotate-server.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
