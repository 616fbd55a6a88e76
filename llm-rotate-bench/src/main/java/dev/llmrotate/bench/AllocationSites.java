package dev.llmrotate.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a JFR recording made with {@code alloc-sites.jfc} and {@code -XX:-UseTLAB} and prints the bytes allocated
 * per call by each site (object class, first two frames outside the JDK's string, time and collection internals).
 * A call is counted by the allocation of one {@code ChatResponse} (or the class given as second argument).
 *
 * <pre>
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.AllocationSites /tmp/alloc.jfr [ChatResponse]
 * </pre>
 */
public final class AllocationSites {
    private static final String[] INTERNAL = {
        "jdk.internal.", "java.lang.StringConcatHelper", "java.lang.invoke.", "java.util.Arrays",
                "java.lang.StringLatin1",
        "java.lang.StringUTF16", "java.lang.String", "java.time.", "java.util.ImmutableCollections",
                "java.util.ArrayList",
        "java.util.HashMap"
    };

    private AllocationSites() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: AllocationSites RECORDING.jfr [CLASS_COUNTED_AS_ONE_CALL]");
            System.exit(2);
        }
        String perCall = args.length > 1 ? args[1] : "ChatResponse";
        Map<String, long[]> bySite = new HashMap<>();
        long calls = 0;
        try (RecordingFile file = new RecordingFile(Path.of(args[0]))) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (!event.getEventType().getName().equals("jdk.ObjectAllocationOutsideTLAB")) {
                    continue;
                }
                RecordedThread thread = event.getThread();
                if (thread == null
                        || thread.getJavaName() == null
                        || !thread.getJavaName().contains("worker")) {
                    continue; // JMH's benchmark threads only
                }
                String type = simpleName(event.getClass("objectClass").getName());
                if (type.equals(perCall)) {
                    calls++;
                }
                String key = type + "  " + site(event);
                long[] totals = bySite.computeIfAbsent(key, k -> new long[2]);
                totals[0] += event.getLong("allocationSize");
                totals[1]++;
            }
        }
        if (calls == 0) {
            System.err.println("no allocation of " + perCall + " by a benchmark thread in " + args[0]);
            System.exit(1);
        }
        List<Map.Entry<String, long[]>> sites = new ArrayList<>(bySite.entrySet());
        sites.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        double total = 0;
        System.out.printf(Locale.ROOT, "%d calls%n  bytes/call  count/call  site%n", calls);
        for (Map.Entry<String, long[]> site : sites) {
            double bytes = site.getValue()[0] / (double) calls;
            if (bytes < 0.5) {
                continue;
            }
            total += bytes;
            System.out.printf(
                    Locale.ROOT, "%11.1f  %10.2f  %s%n", bytes, site.getValue()[1] / (double) calls, site.getKey());
        }
        System.out.printf(Locale.ROOT, "%11.1f  total%n", total);
    }

    private static String site(RecordedEvent event) {
        List<String> frames = new ArrayList<>();
        if (event.getStackTrace() != null) {
            for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                String type = frame.getMethod().getType().getName();
                if (isInternal(type)) {
                    continue;
                }
                frames.add(simpleName(type) + "." + frame.getMethod().getName() + ":" + frame.getLineNumber());
                if (frames.size() == 2) {
                    break;
                }
            }
        }
        return String.join(" <- ", frames);
    }

    private static boolean isInternal(String type) {
        if (type.contains("LambdaForm")) {
            return true;
        }
        for (String prefix : INTERNAL) {
            if (type.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }
}
