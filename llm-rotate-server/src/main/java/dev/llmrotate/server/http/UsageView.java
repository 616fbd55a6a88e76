package dev.llmrotate.server.http;

import dev.llmrotate.observe.UsageSummary;
import java.util.List;
import java.util.Map;

/** The bodies of {@code /usage} and {@code /usage/models}. */
public final class UsageView {
    /** The {@code group_by} values of {@code /usage/models}. */
    public static final List<String> GROUPS = List.of("model", "provider", "key", "caller");

    private UsageView() {}

    /**
     * The body of {@code /usage}.
     *
     * @param s the usage summary, already limited to the frame
     * @param frame the time frame, or null for everything
     * @return the body
     */
    public static UsageBody usage(UsageSummary s, TimeFrame frame) {
        return new UsageBody(frame, s.overall(), s.byProvider(), s.byModel(), s.byKey(), s.byCaller());
    }

    /**
     * The body of {@code /usage/models}.
     *
     * @param s the usage summary, already limited to the frame
     * @param frame the time frame, or null for everything
     * @param groupBy one of {@link #GROUPS}; any other value groups by model
     * @return the body
     */
    public static GroupsBody groups(UsageSummary s, TimeFrame frame, String groupBy) {
        Map<String, UsageSummary.Totals> groups = switch (groupBy) {
            case "provider" -> s.byProvider();
            case "key" -> s.byKey();
            case "caller" -> s.byCaller();
            default -> s.byModel();
        };
        return new GroupsBody(groupBy, frame, groups);
    }

    /**
     * The body of {@code /usage}: the usage summary.
     *
     * @param frame the time frame, or null for "since the counters started"
     * @param overall every call
     * @param byProvider per provider
     * @param byModel per model that answered (the requested one when none did)
     * @param byKey per key
     * @param byCaller per caller (the gateway key's id for calls through the gateway; see {@link
     *     UsageSummary#byCaller()})
     */
    public record UsageBody(
            TimeFrame frame,
            UsageSummary.Totals overall,
            Map<String, UsageSummary.Totals> byProvider,
            Map<String, UsageSummary.Totals> byModel,
            Map<String, UsageSummary.Totals> byKey,
            Map<String, UsageSummary.Totals> byCaller) {}

    /**
     * The body of {@code /usage/models}.
     *
     * @param groupBy {@code model}, {@code provider}, {@code key} or {@code caller}
     * @param frame the time frame, or null for "since the counters started"
     * @param groups the totals per group, by name
     */
    public record GroupsBody(String groupBy, TimeFrame frame, Map<String, UsageSummary.Totals> groups) {}
}
