package dev.llmrotate.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.llmrotate.chat.ToolDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * Tool specifications as our tool definitions, remembered by identity. An AI Service sends the same {@link
 * ToolSpecification} instances (immutable) on every call, and converting one costs some 4 KB and microseconds (the
 * schema elements to a map, which {@link ToolDefinition} copies and checks): remembered, a call with tools costs a
 * lookup per tool. A fixed table of {@value #SLOTS} slots by identity hash, one entry each, a newer entry replacing
 * an older one: its size never depends on what the requests carry, and a miss only converts again.
 */
final class ToolDefinitions {
    static final int SLOTS = 64;

    /** Written and read without locks: an entry's fields are final, so a thread sees it whole or not at all. */
    private final Entry[] slots = new Entry[SLOTS];

    private record Entry(ToolSpecification specification, ToolDefinition definition) {}

    List<ToolDefinition> of(List<ToolSpecification> specifications) {
        List<ToolDefinition> tools = new ArrayList<>(specifications.size());
        for (ToolSpecification specification : specifications) {
            tools.add(of(specification));
        }
        return tools;
    }

    private ToolDefinition of(ToolSpecification specification) {
        int slot = System.identityHashCode(specification) & (SLOTS - 1);
        Entry entry = slots[slot];
        if (entry != null && entry.specification() == specification) {
            return entry.definition();
        }
        ToolDefinition definition = convert(specification);
        slots[slot] = new Entry(specification, definition);
        return definition;
    }

    static ToolDefinition convert(ToolSpecification spec) {
        // The constructor rather than the builder, which would copy the schema once more.
        return new ToolDefinition(
                spec.name(),
                spec.description(),
                spec.parameters() == null ? null : Schemas.toMap(spec.parameters(), spec.name()),
                spec.strict());
    }
}
