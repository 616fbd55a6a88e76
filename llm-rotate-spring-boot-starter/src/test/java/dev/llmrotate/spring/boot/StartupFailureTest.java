package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** A real application start-up with bad properties: Boot's failure report shows the library's messages. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

    @Test
    void theFailureReportListsEveryProblemWithItsPropertyAndNoStackTrace(CapturedOutput output) {
        SpringApplication application = new SpringApplication(App.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        Throwable failure = catchThrowable(() -> application.run(
                "--llm-rotate.keys[0].key-id=oa-1",
                "--llm-rotate.keys[0].provider=openai",
                "--llm-rotate.defaults.max-retries=-1",
                "--llm-rotate.keys[0].secret-ref=literal://sk-startup-failure-secret-0001",
                "--llm-rotate.keys[0].modles=gpt-4o-mini"));

        assertThat(failure).isNotNull();
        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("llm-rotate's configuration is invalid:")
                .contains("  - llm-rotate.keys[0].modles: unknown field; did you mean 'models'?")
                .contains("  - llm-rotate.defaults.max_retries")
                .contains("Fix the properties named above.")
                .doesNotContain("\tat org.springframework")
                .doesNotContain("sk-startup-failure-secret-0001");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(LlmRotateAutoConfiguration.class)
    static class App {}
}
