package dev.llmrotate.spi;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * One POST to a provider, as an adapter asks for it. The library has checked every header value (no line breaks or
 * control characters) before a {@link ProviderHttpClient} sees it; a client that still refuses one must say which
 * header without quoting its value, which may hold a secret.
 *
 * @param uri where to send it ({@code http} or {@code https}); redirects are never followed
 * @param headers request headers besides {@code Content-Type} and {@code Accept}
 * @param body the body; not copied, not to be changed
 * @param contentType the {@code Content-Type}
 * @param accept the {@code Accept}
 * @param connectTimeout the bound on opening a connection
 * @param timeout the bound on the whole exchange (see {@link ProviderHttpClient})
 */
public record HttpPost(
        URI uri,
        Map<String, String> headers,
        byte[] body,
        String contentType,
        String accept,
        Duration connectTimeout,
        Duration timeout) {}
