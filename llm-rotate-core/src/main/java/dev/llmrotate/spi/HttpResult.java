package dev.llmrotate.spi;

import java.net.http.HttpHeaders;

/**
 * A complete HTTP response.
 *
 * @param status the status code
 * @param headers the response headers
 * @param body the body as text (UTF-8); an error body may be cut at {@link HttpLimits#maxErrorBodyBytes()}
 */
public record HttpResult(int status, HttpHeaders headers, String body) {
    /**
     * Whether the status is a success.
     *
     * @return true for a 2xx status
     */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
