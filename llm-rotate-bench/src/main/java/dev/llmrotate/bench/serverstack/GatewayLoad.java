package dev.llmrotate.bench.serverstack;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.LlmRotateBuilder;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.netty.NettyHttpClientProvider;
import dev.llmrotate.server.gateway.Gateway;
import dev.llmrotate.server.gateway.GatewayOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The gateway under load, beside its baseline: the fake upstream of the stack comparison ({@link FakeUpstream}, a
 * fixed completion, or five SSE events a millisecond apart) on one port, and the gateway on another, over an {@link
 * LlmRotate} with eight OpenAI keys pointing at that upstream. A load generator (wrk) then sends the same 1 KB chat
 * request to both: the difference is what the gateway and the library add. Writes wrk's POST scripts next to it.
 * The third argument picks the library's HTTP client upstream: {@code netty} (the default, as the command line's
 * gateway uses) or {@code jdk}; the fourth what this process runs: {@code both} (the default), {@code upstream} or
 * {@code gateway} (over an upstream in another process, so that the gateway's own memory and CPU can be read).
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx128m -cp llm-rotate-bench/target/benchmarks.jar \
 *     dev.llmrotate.bench.serverstack.GatewayLoad 8301 4001 netty   # upstream port, gateway port, client[, part]
 * wrk -t2 -c64 -d20s -s /tmp/gateway-chat.lua http://127.0.0.1:8301/v1/chat/completions   # direct
 * wrk -t2 -c64 -d20s -s /tmp/gateway-chat.lua http://127.0.0.1:4001/v1/chat/completions   # through the gateway
 * </pre>
 */
public final class GatewayLoad {
    private GatewayLoad() {}

    public static void main(String[] args) throws Exception {
        int upstreamPort = args.length > 0 ? Integer.parseInt(args[0]) : 8301;
        int gatewayPort = args.length > 1 ? Integer.parseInt(args[1]) : 4001;
        boolean netty = args.length <= 2 || !args[2].equals("jdk");
        String part = args.length > 3 ? args[3] : "both";
        if (!part.equals("both") && !part.equals("upstream") && !part.equals("gateway")) {
            throw new IllegalArgumentException("the fourth argument is both, upstream or gateway, not " + part);
        }
        FakeUpstream upstream = part.equals("gateway") ? null : new FakeUpstream(upstreamPort, 1);
        if (upstream != null && part.equals("upstream")) {
            System.out.println("upstream http://127.0.0.1:" + upstreamPort + "/v1/chat/completions");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    upstream.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            new CountDownLatch(1).await();
        }
        LlmRotateConfig.Builder config = LlmRotateConfig.builder()
                .provider("openai", s -> s.withBaseUrl(URI.create("http://127.0.0.1:" + upstreamPort + "/v1")))
                .strategy(SelectionStrategyType.ROUND_ROBIN);
        for (int i = 0; i < 8; i++) {
            String secret = "sk-load-" + i + "-0123456789abcdef";
            config.key(KeySpec.builder("key-" + i, "openai")
                    .secretRef(SecretRef.parse("env://LOAD_" + i, name -> secret))
                    .models("gpt-4o-mini")
                    .build());
        }
        LlmRotateBuilder builder = LlmRotate.builder().config(config.build());
        if (netty) {
            builder.httpClient(new NettyHttpClientProvider());
        }
        LlmRotate lm = builder.build();
        Gateway gateway =
                Gateway.start(lm, GatewayOptions.builder().port(gatewayPort).build());
        for (String name : new String[] {"chat", "stream"}) {
            byte[] body = name.equals("chat") ? Payloads.CHAT_REQUEST : Payloads.CHAT_STREAM_REQUEST;
            Files.writeString(
                    Path.of("/tmp/gateway-" + name + ".lua"),
                    "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [["
                            + new String(body, StandardCharsets.US_ASCII) + "]]\n");
        }
        System.out.println("upstream http://127.0.0.1:" + upstreamPort + "/v1/chat/completions, gateway "
                + gateway.uri() + "v1/chat/completions over the " + (netty ? "Netty" : "JDK")
                + " client; scripts /tmp/gateway-chat.lua, /tmp/gateway-stream.lua");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            lm.close();
            try {
                if (upstream != null) {
                    upstream.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.countDown();
        }));
        stop.await();
    }
}
