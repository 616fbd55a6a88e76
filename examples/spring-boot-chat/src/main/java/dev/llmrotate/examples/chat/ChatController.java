package dev.llmrotate.examples.chat;

import dev.llmrotate.ChatStream;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.error.NoAvailableKeyException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code POST /chat} answers with who answered; {@code GET /chat/stream} streams the answer as server-sent events;
 * {@code POST /assistant} asks through Spring AI's {@code ChatClient}, with a tool the model may call.
 */
@RestController
class ChatController {
    private final LlmRotate lm;
    private final String model;
    private final ChatClient assistant;
    private final ExecutorService streams = Executors.newCachedThreadPool();

    ChatController(LlmRotate lm, ChatModel chatModel, @Value("${llm-rotate.default-model}") String model) {
        this.lm = lm;
        this.model = model;
        this.assistant = ChatClient.builder(chatModel)
                .defaultSystem("You are a helpful assistant.")
                .defaultTools(new Clock())
                .build();
    }

    /** A tool the model may call. */
    static class Clock {
        @Tool(description = "The current time in UTC, ISO-8601")
        String now() {
            return Instant.now().toString();
        }
    }

    /** Spring AI's ChatClient over the same key pools: the model is llm-rotate's, the rest is plain Spring AI. */
    @PostMapping("/assistant")
    Map<String, String> assistant(@RequestBody Question question) {
        return Map.of("answer", assistant.prompt().user(question.message()).call().content());
    }

    record Question(String message) {}

    record Answer(
            String answer,
            String provider,
            String model,
            String keyId,
            int attempts,
            int rotations,
            boolean fallbackUsed,
            String callId) {}

    @PostMapping("/chat")
    Answer chat(@RequestBody Question question) {
        ChatResponse r = lm.chat(ChatRequest.builder(model).user(question.message()).build());
        return new Answer(
                r.content(), r.provider(), r.model(), r.keyId(), r.attempts(), r.rotations(), r.fallbackUsed(),
                r.callId());
    }

    @GetMapping(path = "/chat/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(@RequestParam String message) {
        SseEmitter emitter = new SseEmitter(Duration.ofMinutes(2).toMillis());
        ChatRequest request = ChatRequest.builder(model).user(message).build();
        streams.execute(() -> {
            try (ChatStream stream = lm.chatStream(request)) {
                stream.forEach(chunk -> {
                    if (chunk.delta() != null && !chunk.delta().isEmpty()) {
                        send(emitter, chunk.delta());
                    }
                });
                emitter.complete();
            } catch (RuntimeException e) {
                emitter.completeWithError(e);
            }
        });
        return emitter;
    }

    private static void send(SseEmitter emitter, String text) {
        try {
            emitter.send(text);
        } catch (IOException e) {
            throw new IllegalStateException("the client went away", e);
        }
    }

    /** Every key resting: 503 with when to come back, as a well-behaved API says it. */
    @ExceptionHandler(NoAvailableKeyException.class)
    ResponseEntity<Map<String, String>> noKey(NoAvailableKeyException e) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE);
        Instant retryAt = e.earliestRetryAt();
        if (retryAt != null) {
            long seconds = Math.max(1, Duration.between(Instant.now(), retryAt).toSeconds());
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        }
        return response.body(Map.of("error", "no key can serve now; try again later"));
    }
}
