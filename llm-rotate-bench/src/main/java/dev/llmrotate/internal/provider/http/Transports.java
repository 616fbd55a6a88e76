package dev.llmrotate.internal.provider.http;

import java.net.http.HttpClient;
import java.time.Duration;

/** A transport's JDK client, so that a benchmark's raw baseline goes through the very client the adapters use. */
public final class Transports {
    private Transports() {}

    public static HttpClient client(HttpTransport transport, Duration connectTimeout) {
        return transport.client(connectTimeout);
    }
}
