package org.springframework.cloud.context.environment;

import java.util.Set;
import org.springframework.context.ApplicationEvent;

/**
 * Stands in for Spring Cloud's event of the same name (spring-cloud-context), which the starter recognises by name
 * without depending on Spring Cloud: the same class name and {@code getKeys()}.
 */
public class EnvironmentChangeEvent extends ApplicationEvent {
    private static final long serialVersionUID = 1L;
    private final Set<String> keys;

    public EnvironmentChangeEvent(Object context, Set<String> keys) {
        super(context);
        this.keys = keys;
    }

    public Set<String> getKeys() {
        return keys;
    }
}
