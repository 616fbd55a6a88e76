package dev.llmrotate.server.cli;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.server.http.ControlRouter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration when its file changes (looked at every two seconds, which also catches a Kubernetes
 * ConfigMap's symlink swap): keys, providers, fallbacks and budgets change in place with {@link
 * LlmRotate#reloadConfig}, which keeps the health of the keys that stay. A file with problems is not applied; the
 * running configuration stays and the problems are logged. The gateway's own block (port, gateway keys) is read at
 * start only.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlRouter.LOG_NAME);
    static final long PERIOD_MILLIS = 2_000;

    private final Path file;
    private final LlmRotate lm;
    private final ScheduledExecutorService timer;
    private FileTime seen;

    private ConfigWatcher(Path file, LlmRotate lm) {
        this.file = file;
        this.lm = lm;
        this.seen = modified();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "llm-rotate-config-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    static ConfigWatcher start(Path file, LlmRotate lm) {
        return new ConfigWatcher(file, lm);
    }

    private FileTime modified() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    private void check() {
        FileTime now = modified();
        if (now == null || now.equals(seen)) {
            return;
        }
        seen = now;
        try {
            lm.reloadConfig(LlmRotateConfig.fromFile(file));
            LOG.info(
                    "configuration reloaded from {} ({} keys in the pool)",
                    file,
                    lm.config().activeKeys().size());
        } catch (ConfigurationException e) {
            LOG.warn(
                    "configuration in {} not applied, the running one stays: {}",
                    file,
                    String.join("; ", e.problems()));
        } catch (RuntimeException e) {
            LOG.warn("configuration in {} not applied, the running one stays: {}", file, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
