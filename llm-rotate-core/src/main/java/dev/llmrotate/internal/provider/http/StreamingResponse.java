package dev.llmrotate.internal.provider.http;

import java.net.http.HttpHeaders;

/**
 * The start of a streamed exchange: a 2xx status with a {@link #body()} to read incrementally, or an error answer
 * read whole into {@link #error()} for classification.
 */
public final class StreamingResponse {
    private final int status;
    private final HttpHeaders headers;
    private final StreamBody body;
    private final HttpResult error;

    StreamingResponse(int status, HttpHeaders headers, StreamBody body, HttpResult error) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public boolean isSuccess() {
        return body != null;
    }

    /** The body of a 2xx answer. */
    public StreamBody body() {
        return body;
    }

    /** The whole error answer of a non-2xx status. */
    public HttpResult error() {
        return error;
    }
}
