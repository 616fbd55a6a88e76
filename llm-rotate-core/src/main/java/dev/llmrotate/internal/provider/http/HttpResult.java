package dev.llmrotate.internal.provider.http;

import java.net.http.HttpHeaders;

/**
 * A complete HTTP response.
 *
 * @param status the status code
 * @param headers the response headers
 * @param body the body as text
 */
public record HttpResult(int status, HttpHeaders headers, String body) {
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
