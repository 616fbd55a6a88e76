package dev.llmrotate.error;

import java.util.List;

/**
 * Invalid configuration or misuse of the API: a programmer error to fix at start-up (HTTP 500 behind a service).
 * When loading a configuration finds several problems, {@link #problems()} lists all of them, each naming its path.
 */
public class ConfigurationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Every problem found, at least one. */
    private final List<String> problems;

    /**
     * One problem.
     *
     * @param problem what is wrong, naming its path or value (never a secret)
     */
    public ConfigurationException(String problem) {
        super(problem);
        this.problems = List.of(problem);
    }

    /**
     * Several problems; the message lists them all.
     *
     * @param problems what is wrong, one entry per problem, each naming its path (never a secret)
     */
    public ConfigurationException(List<String> problems) {
        super(summarise(problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * Every problem found, e.g. {@code keys[2].modles: unknown field; did you mean 'models'?}.
     *
     * @return the problems, at least one; unmodifiable
     */
    public List<String> problems() {
        return problems;
    }

    private static String summarise(List<String> problems) {
        if (problems.size() == 1) {
            return problems.get(0);
        }
        return "invalid configuration (" + problems.size() + " problems):\n  - " + String.join("\n  - ", problems);
    }
}
