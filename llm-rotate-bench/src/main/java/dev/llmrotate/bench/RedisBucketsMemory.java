package dev.llmrotate.bench;

import dev.llmrotate.redis.RedisStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the usage buckets take in Redis: {@code keys} × {@code models} slices, {@code perMinute} calls per slice and
 * minute for {@code hours} simulated hours, recorded through a {@link RedisStateStore} on the harness's own
 * {@code redis-server}; then {@code MEMORY USAGE} of the minute and hour bucket hashes of the last full hour, and what
 * the kept buckets (25 h of minutes, 31 days of hours) come to at that size.
 *
 * <pre>{@code
 * ./mvnw -B -q -pl llm-rotate-bench -am package -DskipTests
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.RedisBucketsMemory 50 2 6 3
 * }</pre>
 */
public final class RedisBucketsMemory {
    private RedisBucketsMemory() {}

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int models = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int perMinute = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int hours = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int slices = keys * models;
        String prefix = "mem";
        try (BenchRedis redis = BenchRedis.start()) {
            long before = usedMemory(redis);
            Instant start = Instant.parse("2026-11-25T00:00:00Z");
            SplittableRandom random = new SplittableRandom(11);
            long calls = 0;
            long began = System.nanoTime();
            try (RedisStateStore store = RedisStateStore.builder()
                    .url(redis.url)
                    .prefix(prefix)
                    .commandTimeout(Duration.ofSeconds(5))
                    .build()) {
                for (int minute = 0; minute < hours * 60; minute++) {
                    for (int call = 0; call < perMinute; call++) {
                        for (int slice = 0; slice < slices; slice++) {
                            Instant at = start.plusSeconds(minute * 60L + call * (60L / perMinute));
                            store.recordCall(
                                    UsageBucketsMemory.record(at, slice % keys, slice / keys, random),
                                    "model-" + slice / keys,
                                    0);
                            calls++;
                        }
                    }
                }
                store.flush();
            }
            long tookMs = (System.nanoTime() - began) / 1_000_000;
            long after = usedMemory(redis);
            long lastMinute = start.getEpochSecond() / 60 + hours * 60L - 1;
            long lastFullHour = start.getEpochSecond() / 3600 + hours - 1;
            long minuteBytes = 0;
            long hourBytes = 0;
            for (int slice = 0; slice < slices; slice++) {
                String name = "openai|model-" + slice / keys + "|key-" + slice % keys;
                minuteBytes += memoryUsage(redis, "{" + prefix + "}:ub:m:" + lastMinute + ":" + name);
                hourBytes += memoryUsage(redis, "{" + prefix + "}:ub:h:" + lastFullHour + ":" + name);
            }
            double perMinuteKey = (double) minuteBytes / slices;
            double perHourKey = (double) hourBytes / slices;
            long minutesKept = 25 * 60 + 10;
            long hoursKept = 31 * 24 + 1;
            System.out.printf(
                    Locale.ROOT,
                    "%d slices, %d calls per slice and minute, %d hours: %,d calls recorded in %,d ms%n",
                    slices,
                    perMinute,
                    hours,
                    calls,
                    tookMs);
            System.out.printf(
                    Locale.ROOT,
                    "used_memory: %.1f MB before, %.1f MB after (+%.1f MB)%n",
                    before / 1e6,
                    after / 1e6,
                    (after - before) / 1e6);
            System.out.printf(
                    Locale.ROOT,
                    "MEMORY USAGE per bucket hash: minute %.0f B, hour %.0f B%n",
                    perMinuteKey,
                    perHourKey);
            System.out.printf(
                    Locale.ROOT,
                    "kept at this traffic (slices and the all-slices sum): %.1f MB of minutes, %.1f MB of hours%n",
                    (slices + 1) * minutesKept * perMinuteKey / 1e6,
                    (slices + 1) * hoursKept * perHourKey / 1e6);
        }
    }

    private static final Pattern USED = Pattern.compile("used_memory:(\\d+)");

    private static long usedMemory(BenchRedis redis) throws Exception {
        Matcher m = USED.matcher(redis.command("INFO memory"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long memoryUsage(BenchRedis redis, String key) throws Exception {
        String reply = redis.command("MEMORY USAGE " + key);
        return reply.startsWith(":") ? Long.parseLong(reply.substring(1, reply.indexOf("\r\n"))) : 0;
    }
}
