package dev.llmrotate.spring.boot;

import dev.llmrotate.testkit.FakeOpenAiServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A fake OpenAI server on loopback and a context runner with the starter's auto-configuration. */
abstract class StarterTestSupport {
    static final String GPT = "gpt-4o-mini";
    static final String SECRET_1 = "sk-starter-test-secret-0001-abcdefgh";
    static final String SECRET_2 = "sk-starter-test-secret-0002-ijklmnop";

    protected FakeOpenAiServer openai;

    @BeforeEach
    void startOpenAi() {
        openai = FakeOpenAiServer.start();
    }

    @AfterEach
    void stopOpenAi() {
        openai.close();
    }

    static ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(LlmRotateAutoConfiguration.class));
    }

    /** Two OpenAI keys on the fake server, in application.yml's kebab-case; the first has the higher priority. */
    String[] twoKeys() {
        return properties(
                "llm-rotate.keys[0].key-id=oa-1",
                "llm-rotate.keys[0].provider=openai",
                "llm-rotate.keys[0].secret-ref=literal://" + SECRET_1,
                "llm-rotate.keys[0].models=" + GPT,
                "llm-rotate.keys[0].priority=2",
                "llm-rotate.keys[1].key-id=oa-2",
                "llm-rotate.keys[1].provider=openai",
                "llm-rotate.keys[1].secret-ref=literal://" + SECRET_2,
                "llm-rotate.keys[1].models=" + GPT,
                "llm-rotate.keys[1].priority=1",
                "llm-rotate.defaults.selection-strategy=priority",
                "llm-rotate.providers.openai.base-url=" + openai.baseUrl());
    }

    static String[] properties(String... values) {
        return values;
    }

    static String[] plus(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
