package dev.llmrotate.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.observe.UsageSummary;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sparse histograms that merge exactly, and the packed form buckets are kept in. */
class UsageCountsTest {

    private static UsageCounts random(SplittableRandom random) {
        UsageCounts c = new UsageCounts();
        c.addSuccesses(random.nextInt(1000));
        for (String type : new String[] {"rate_limit", "timeout", "no_available_key", "quota_exhausted"}) {
            if (random.nextBoolean()) {
                c.addFailures(type, 1 + random.nextInt(50));
            }
        }
        c.addTokens(random.nextLong(1L << 40), random.nextInt(), random.nextInt(1000), 0);
        c.addCost(random.nextBoolean() ? 0 : random.nextDouble() * 10);
        c.addUnpricedCalls(random.nextInt(3));
        for (int i = 0; i < random.nextInt(40); i++) {
            c.addLatency(random.nextInt(LatencyHistogram.BUCKETS), 1 + random.nextLong(1L << 40));
        }
        for (int i = 0; i < random.nextInt(5); i++) {
            c.addFirstChunk(random.nextInt(LatencyHistogram.BUCKETS), 1 + random.nextInt(100));
        }
        return c;
    }

    @Test
    void packedCountersReadBackExactly() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            UsageCounts c = random(random);
            UsageCounts back = UsageCounts.unpack(c.pack());
            assertThat(back.totals()).isEqualTo(c.totals());
            assertThat(back.latencyCounts()).isEqualTo(c.latencyCounts());
            assertThat(back.firstChunkCounts()).isEqualTo(c.firstChunkCounts());
            assertThat(back.firstChunkLatency()).isEqualTo(c.firstChunkLatency());
        }
        assertThat(UsageCounts.unpack(new UsageCounts().pack()).totals()).isEqualTo(UsageSummary.Totals.EMPTY);
    }

    @Test
    void aTypicalMinuteOfOneSlicePacksIntoAFewDozenBytes() {
        UsageCounts minute = new UsageCounts();
        for (int i = 0; i < 6; i++) {
            minute.addSuccesses(1);
            minute.addTokens(900, 200, 0, 0);
            minute.addCost(0.0004);
            minute.addLatency(LatencyHistogram.bucket(600 + 100 * i), 1);
            minute.addFirstChunk(LatencyHistogram.bucket(200 + 30 * i), 1);
        }
        assertThat(minute.pack().length).isLessThan(48);
    }

    @Test
    void histogramsOfManyPartsMergeIntoTheDenseSum() {
        SplittableRandom random = new SplittableRandom(3);
        long[] expected = new long[LatencyHistogram.BUCKETS];
        UsageCounts sum = new UsageCounts();
        for (int i = 0; i < 200; i++) {
            UsageCounts part = random(random);
            long[] dense = part.latencyCounts();
            for (int b = 0; b < dense.length; b++) {
                expected[b] += dense[b];
            }
            sum.add(part);
        }
        assertThat(sum.latencyCounts()).isEqualTo(expected);
        assertThat(sum.totals().latency()).isEqualTo(LatencyHistogram.summarise(expected));
    }

    @Test
    void aBucketIndexOutOfRangeIsRefused() {
        assertThatThrownBy(() -> new UsageCounts().addLatency(LatencyHistogram.BUCKETS, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latency bucket must be 0 to 184, got 185");
    }
}
