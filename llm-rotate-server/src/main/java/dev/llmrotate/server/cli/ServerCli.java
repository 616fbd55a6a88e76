package dev.llmrotate.server.cli;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.netty.NettyHttpClientProvider;
import dev.llmrotate.server.ControlServer;
import dev.llmrotate.server.ControlServerOptions;
import dev.llmrotate.server.ServerVersion;
import dev.llmrotate.server.gateway.Gateway;
import dev.llmrotate.server.gateway.GatewayConfig;
import dev.llmrotate.server.gateway.GatewayOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code llm-rotate-server} command: loads a configuration, opens a read-only view of the state store it names
 * ({@link LlmRotate#observe}: the shared state of the workers using the same Redis; no secret is resolved) and serves
 * the control server on it until stopped (Ctrl-C, SIGTERM). With the gateway on ({@code --gateway-port} or {@code
 * gateway.port}) it opens a full instance instead, which holds the keys and makes the gateway's calls. Every failure to start is one message on stderr, never a stack
 * trace, and an exit code that tells its kind (see {@link #EXIT_USAGE} and the others).
 */
@Command(
        name = "llm-rotate-server",
        mixinStandardHelpOptions = true,
        versionProvider = ServerCli.VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Serves the read-only control server of llm-rotate: /health and /keys (key health), /usage and"
                    + " /usage/models, /timeseries, /events (recent calls), /config (sanitized), /metrics,"
                    + " /openapi.json, /version, /livez and /readyz; and, with --gateway-port or gateway.port, the"
                    + " OpenAI-compatible gateway (POST /v1/chat/completions, GET /v1/models) on its own port.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:--help, --version",
            "1:an unexpected failure",
            "2:invalid options or configuration (every problem is listed), or a non-loopback --host without a token",
            "3:the configuration file or the token file is missing or cannot be read",
            "4:cannot listen: the port is in use, or the address cannot be bound",
            "143, 130:stopped by SIGTERM or Ctrl-C, after a graceful shutdown (the JVM's 128 + signal)"
        },
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  LLM_ROTATE_CONFIG        the configuration file when --config is not given",
            "  LLM_ROTATE_SERVER_TOKEN  the bearer token when --token-file is not given"
        })
public final class ServerCli {
    /** Exit code: {@code --help} or {@code --version} printed. */
    public static final int EXIT_OK = 0;
    /** Exit code: an unexpected failure. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code: invalid options or configuration, or a non-loopback {@code --host} without a token. */
    public static final int EXIT_USAGE = 2;
    /** Exit code: the configuration file or the token file is missing or cannot be read. */
    public static final int EXIT_NO_INPUT = 3;
    /** Exit code: cannot listen (the port is in use, or the address cannot be bound). */
    public static final int EXIT_CANNOT_LISTEN = 4;

    /** The environment variable naming the configuration file. */
    public static final String CONFIG_VARIABLE = "LLM_ROTATE_CONFIG";

    /** The environment variable holding the bearer token. */
    public static final String TOKEN_VARIABLE = "LLM_ROTATE_SERVER_TOKEN";

    /** The largest token file read; a token is a few dozen bytes. */
    static final int MAX_TOKEN_FILE_BYTES = 4096;

    private static final String NAME = "llm-rotate-server";

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML or JSON configuration file (default: $" + CONFIG_VARIABLE + ")")
    Path config;

    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            defaultValue = ControlServerOptions.DEFAULT_HOST,
            description = "address to listen on (default: ${DEFAULT-VALUE}); any other than loopback needs a token")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "8200",
            description = "port to listen on, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(
            names = "--gateway-port",
            paramLabel = "PORT",
            description = "also serve the OpenAI-compatible gateway on this port, 0 for any free one (default: the"
                    + " configuration's gateway.port; off when neither is given)")
    Integer gatewayPort;

    @Option(
            names = "--event-capacity",
            paramLabel = "N",
            description = "recent call records kept for /events, 0 to keep none (default: the configuration's"
                    + " event_buffer, else 1000)")
    Integer eventCapacity;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "file holding the bearer token every endpoint but /livez and /readyz then requires"
                    + " (default: $" + TOKEN_VARIABLE + ")")
    Path tokenFile;

    @Option(
            names = "--allow-unauthenticated",
            description = "serve a non-loopback --host without a token (anyone who reaches it sees the key health,"
                    + " usage and configuration)")
    boolean allowUnauthenticated;

    @Option(
            names = "--cors-origin",
            paramLabel = "ORIGIN",
            description = "the one origin browsers may read answers from (https://dash.example.com), or *")
    String corsOrigin;

    private ServerCli() {}

    /**
     * Runs the command until the process is stopped; exits with the code of a failure to start.
     *
     * @param args the command line, as {@code --help} lists it
     */
    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "dev/llmrotate/server/cli/logback-cli.xml");
        }
        Launch launch = launch(args, System.out, System.err, System.getenv());
        if (launch.exitCode() != null) {
            System.exit(launch.exitCode());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(launch::close, "llm-rotate-server-shutdown"));
        launch.awaitClose();
    }

    /**
     * Parses {@code args}, and starts the server unless they ask for help or something is wrong.
     *
     * @param args the command line
     * @param out where help, the version and the start message go
     * @param err where a failure to start is reported, one message
     * @param env the environment ({@value #CONFIG_VARIABLE}, {@value #TOKEN_VARIABLE})
     * @return a running server to close, or the exit code when none was started
     */
    public static Launch launch(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        ServerCli cli = new ServerCli();
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println(NAME + ": " + e.getMessage());
            err.println("Try '" + NAME + " --help' for the options.");
            return Launch.exit(EXIT_USAGE);
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(out);
            return Launch.exit(EXIT_OK);
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(out);
            return Launch.exit(EXIT_OK);
        }
        try {
            return cli.start(out, env);
        } catch (Refusal r) {
            err.println(NAME + ": " + r.getMessage());
            return Launch.exit(r.exitCode);
        } catch (RuntimeException e) {
            err.println(NAME + ": unexpected failure: " + e);
            return Launch.exit(EXIT_FAILURE);
        }
    }

    private Launch start(PrintStream out, Map<String, String> env) {
        Path configFile = configFile(env);
        String token = token(env);
        if (eventCapacity != null && (eventCapacity < 0 || eventCapacity > 200_000)) {
            throw new Refusal(EXIT_USAGE, "--event-capacity must be from 0 to 200000, got " + eventCapacity);
        }
        LlmRotateConfig config = loadConfig(configFile);
        GatewayConfig gatewayConfig;
        try {
            gatewayConfig = GatewayConfig.read(config, env::get);
        } catch (ConfigurationException e) {
            throw new Refusal(EXIT_USAGE, describe(configFile, e));
        }
        if (gatewayPort != null && (gatewayPort < 0 || gatewayPort > 65_535)) {
            throw new Refusal(EXIT_USAGE, "--gateway-port must be from 0 to 65535, got " + gatewayPort);
        }
        boolean gatewayOn = gatewayPort != null || gatewayConfig.enabled();
        ControlServerOptions options;
        try {
            options = ControlServerOptions.builder()
                    .host(host)
                    .port(port)
                    .token(token)
                    .allowUnauthenticated(allowUnauthenticated)
                    .corsOrigin(corsOrigin)
                    .eventCapacity(eventCapacity == null ? ControlServerOptions.DEFAULT_EVENT_CAPACITY : eventCapacity)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new Refusal(EXIT_USAGE, e.getMessage());
        }
        // With the gateway this process makes calls, so it holds the keys. Without it, it makes none: it shows the
        // state store the configuration names, which workers sharing it (Redis) fill, as an observer, which resolves
        // no secret_ref: the workers' secrets need not be here.
        LlmRotate lm;
        try {
            // The gateway's calls go upstream over the Netty client: pooled, non-blocking, completing on its loop.
            lm = gatewayOn
                    ? LlmRotate.builder()
                            .config(config)
                            .httpClient(new NettyHttpClientProvider())
                            .build()
                    : LlmRotate.observe(config);
        } catch (ConfigurationException e) {
            throw new Refusal(EXIT_USAGE, describe(configFile, e));
        }
        ControlServer server;
        try {
            server = ControlServer.start(lm, options);
        } catch (IllegalArgumentException e) {
            lm.close();
            throw new Refusal(EXIT_USAGE, e.getMessage());
        } catch (UncheckedIOException e) {
            lm.close();
            throw new Refusal(
                    e.getCause() instanceof BindException ? EXIT_CANNOT_LISTEN : EXIT_FAILURE,
                    e.getMessage()
                            + (e.getMessage().contains("in use")
                                    ? " (another server running? choose one with --port)"
                                    : ""));
        }
        Gateway gateway = null;
        if (gatewayOn) {
            GatewayOptions o = gatewayConfig.options();
            try {
                gateway = Gateway.start(
                        lm,
                        o.toBuilder()
                                .port(gatewayPort != null ? gatewayPort : o.port())
                                .allowUnauthenticated(o.allowUnauthenticated() || allowUnauthenticated)
                                .build());
            } catch (RuntimeException e) {
                server.close();
                lm.close();
                boolean inUse = e instanceof UncheckedIOException u && u.getCause() instanceof BindException;
                throw new Refusal(
                        e instanceof UncheckedIOException ? (inUse ? EXIT_CANNOT_LISTEN : EXIT_FAILURE) : EXIT_USAGE,
                        e.getMessage() + (inUse ? " (another gateway running? choose one with --gateway-port)" : ""));
            }
        }
        out.println(NAME + " " + ServerVersion.get() + " listening on " + server.uri() + " ("
                + config.activeKeys().size() + " keys in the pool"
                + (token != null ? ", bearer token required" : "") + ")");
        if (gateway != null) {
            out.println("  gateway: " + gateway.uri() + "v1 (OpenAI-compatible: POST /v1/chat/completions, GET"
                    + " /v1/models" + (gatewayConfig.options().keys().isEmpty() ? "" : "; gateway keys required")
                    + ")");
        } else if (config.stateStore().type().equals(StateStoreSettings.MEMORY)) {
            out.println("  state_store is memory: no other process shares it, so health and usage stay idle; give"
                    + " this server and the workers the same state_store (type: redis) to see the fleet");
        } else {
            out.println("  standalone: showing the workers that share state_store "
                    + config.stateStore().type() + " (prefix "
                    + config.stateStore().prefix() + ")");
        }
        if (eventCapacity != null && gateway == null) {
            out.println("  --event-capacity is for calls this process makes; /events shows the records the workers"
                    + " keep in the store (their event_buffer)");
        }
        out.println("  endpoints: /health /keys /keys/{key_id}/history /usage /usage/models /timeseries /events /config"
                + " /metrics /livez /readyz /version /openapi.json");
        out.println(
                "  dashboard: " + server.uri() + " in a browser" + (token != null ? " (it asks for the token)" : ""));
        out.println("  stop with Ctrl-C");
        ConfigWatcher watcher = ConfigWatcher.start(configFile, lm);
        return new Launch(null, server, gateway, watcher, lm);
    }

    private Path configFile(Map<String, String> env) {
        Path file = config;
        if (file == null) {
            String fromEnv = env.get(CONFIG_VARIABLE);
            if (fromEnv == null || fromEnv.isBlank()) {
                throw new Refusal(
                        EXIT_USAGE, "no configuration: give --config FILE or set " + CONFIG_VARIABLE + "=FILE");
            }
            file = Path.of(fromEnv);
        }
        readable(file, "configuration file");
        return file;
    }

    private static void readable(Path file, String what) {
        if (!Files.exists(file)) {
            throw new Refusal(EXIT_NO_INPUT, what + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new Refusal(EXIT_NO_INPUT, what + " " + file + " is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new Refusal(EXIT_NO_INPUT, what + " " + file + " cannot be read (permission denied)");
        }
    }

    private String token(Map<String, String> env) {
        if (tokenFile == null) {
            String fromEnv = env.get(TOKEN_VARIABLE);
            return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
        }
        readable(tokenFile, "token file");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(tokenFile)) {
            bytes = in.readNBytes(MAX_TOKEN_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new Refusal(
                    EXIT_NO_INPUT,
                    "token file " + tokenFile + " cannot be read ("
                            + e.getClass().getSimpleName() + ")");
        }
        if (bytes.length > MAX_TOKEN_FILE_BYTES) {
            throw new Refusal(
                    EXIT_USAGE, "token file " + tokenFile + " is larger than " + MAX_TOKEN_FILE_BYTES + " bytes");
        }
        String value;
        try {
            value = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString()
                    .strip();
        } catch (CharacterCodingException e) {
            throw new Refusal(EXIT_USAGE, "token file " + tokenFile + " is not UTF-8 text");
        }
        if (value.isEmpty()) {
            throw new Refusal(EXIT_USAGE, "token file " + tokenFile + " is empty");
        }
        return value;
    }

    private static LlmRotateConfig loadConfig(Path file) {
        try {
            return LlmRotateConfig.fromFile(file);
        } catch (ConfigurationException e) {
            throw new Refusal(EXIT_USAGE, describe(file, e));
        }
    }

    /** Every problem of the configuration, one per line after a header, as the library lists them. */
    private static String describe(Path file, ConfigurationException e) {
        List<String> problems = e.problems();
        if (problems.size() == 1) {
            return "invalid configuration in " + file + ": " + problems.get(0);
        }
        return "invalid configuration in " + file + " (" + problems.size() + " problems):\n  - "
                + String.join("\n  - ", problems);
    }

    /** A reason not to start, with its exit code. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        Refusal(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    /** The outcome of {@link #launch}: an exit code, or a running server to close. */
    public static final class Launch {
        private final Integer exitCode;
        private final ControlServer server;
        private final Gateway gateway;
        private final ConfigWatcher watcher;
        private final LlmRotate lm;
        private final CountDownLatch closed = new CountDownLatch(1);

        private Launch(Integer exitCode, ControlServer server, Gateway gateway, ConfigWatcher watcher, LlmRotate lm) {
            this.exitCode = exitCode;
            this.server = server;
            this.gateway = gateway;
            this.watcher = watcher;
            this.lm = lm;
        }

        static Launch exit(int code) {
            return new Launch(code, null, null, null, null);
        }

        /**
         * The gateway.
         *
         * @return the running gateway, or null when it is off or nothing was started
         */
        public Gateway gateway() {
            return gateway;
        }

        /**
         * The code to exit with.
         *
         * @return one of the {@code EXIT_} codes when nothing was started, or null when the server runs
         */
        public Integer exitCode() {
            return exitCode;
        }

        /**
         * The running control server.
         *
         * @return the server, or null when nothing was started
         */
        public ControlServer server() {
            return server;
        }

        /**
         * The instance it serves.
         *
         * @return the instance (an observer without the gateway), or null when nothing was started
         */
        public LlmRotate lm() {
            return lm;
        }

        /**
         * Stops the gateway (calls in flight finish within its grace period), then the control server, and closes the
         * instance (which drains and flushes its records); calling it again does nothing.
         */
        public synchronized void close() {
            if (closed.getCount() == 0) {
                return;
            }
            if (watcher != null) {
                watcher.close();
            }
            if (gateway != null) {
                gateway.close();
            }
            if (server != null) {
                server.close();
                lm.close();
            }
            closed.countDown();
        }

        /** Blocks until {@link #close()} has run. */
        void awaitClose() {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code --version}. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {NAME + " " + ServerVersion.get()};
        }
    }
}
