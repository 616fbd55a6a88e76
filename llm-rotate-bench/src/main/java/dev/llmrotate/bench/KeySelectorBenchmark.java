package dev.llmrotate.bench;

import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.internal.select.KeySelector;
import dev.llmrotate.internal.select.SelectionStrategy;
import dev.llmrotate.spi.InMemoryStateStore;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link KeySelector#select} alone: filter eight healthy keys, let the strategy pick, claim the pick (no trial, no
 * rpm budget, so the claim writes nothing). The part of {@link EngineOverheadBenchmark}'s cost spent choosing a key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class KeySelectorBenchmark {
    /** How long a claimed trial slot is held (no key is on probation here, so none is claimed). */
    private static final long TRIAL_HOLD_NANOS = TimeUnit.HOURS.toNanos(1);

    @Param({"health_aware", "round_robin", "priority", "weighted"})
    public String strategy;

    private KeySelector selector;
    private SelectionStrategy selectionStrategy;
    private Route route;
    private long callToken;

    @Setup
    public void setUp() {
        InMemoryStateStore store = new InMemoryStateStore();
        RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
        selector = new KeySelector(store, Clock.systemUTC());
        selectionStrategy = SelectionStrategy.of(SelectionStrategyType.fromWireName(strategy), store, random);
        route = new Route(
                BenchFixtures.PROVIDER,
                BenchFixtures.MODEL,
                null,
                false,
                BenchFixtures.keys(),
                dev.llmrotate.config.ProviderCatalog.defaults(BenchFixtures.PROVIDER));
    }

    @Benchmark
    public KeySelector.Selection select() {
        return selector.select(route, selectionStrategy, Set.of(), ++callToken, TRIAL_HOLD_NANOS);
    }
}
