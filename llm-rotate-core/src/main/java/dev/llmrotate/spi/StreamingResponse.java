package dev.llmrotate.spi;

import java.net.http.HttpHeaders;

/**
 * The start of a streamed exchange: a 2xx status with a {@link #body()} to read incrementally, or an error answer
 * read whole into {@link #error()} for classification.
 *
 * @param status the status code
 * @param headers the response headers
 * @param body the body of a 2xx answer, else null
 * @param error the whole error answer of any other status, else null
 */
public record StreamingResponse(int status, HttpHeaders headers, StreamBody body, HttpResult error) {
    /**
     * A 2xx answer whose body is read as it arrives.
     *
     * @param status the status code
     * @param headers the response headers
     * @param body the open body
     * @return the response
     */
    public static StreamingResponse streaming(int status, HttpHeaders headers, StreamBody body) {
        return new StreamingResponse(status, headers, body, null);
    }

    /**
     * Any other answer, read whole.
     *
     * @param error the whole answer, with its status and headers
     * @return the response
     */
    public static StreamingResponse failed(HttpResult error) {
        return new StreamingResponse(error.status(), error.headers(), null, error);
    }

    /**
     * Whether the stream is open.
     *
     * @return true when there is a body to read
     */
    public boolean isSuccess() {
        return body != null;
    }
}
