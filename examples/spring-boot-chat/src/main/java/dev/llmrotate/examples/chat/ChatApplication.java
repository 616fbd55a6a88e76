package dev.llmrotate.examples.chat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.event.ContextClosedEvent;

/**
 * A chat service whose every call rotates keys and falls back across providers. With {@code OPENAI_API_KEY} set it
 * calls the real providers named in {@code application.yml}; without, it starts simulated providers (rate limits, a
 * revoked key, a fallback) and runs on them with the {@code simulated} profile.
 */
@SpringBootApplication
public class ChatApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(ChatApplication.class);
        if (System.getenv("OPENAI_API_KEY") == null) {
            SimulatedProviders simulated = SimulatedProviders.start(System.nanoTime());
            application.setAdditionalProfiles(SimulatedProviders.PROFILE);
            application.setDefaultProperties(simulated.properties());
            application.addListeners(event -> {
                if (event instanceof ContextClosedEvent) {
                    simulated.close();
                }
            });
        }
        application.run(args);
    }
}
