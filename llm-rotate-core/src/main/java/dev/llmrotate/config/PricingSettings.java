package dev.llmrotate.config;

import dev.llmrotate.observe.ModelPrice;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code pricing} block: a price file in LiteLLM's {@code model_prices_and_context_window.json} format and
 * single model prices, both over the built-in table (single prices win over the file).
 *
 * @param file the price file, or null
 * @param prices single prices
 */
public record PricingSettings(Path file, List<Entry> prices) {
    /** No price file and no single prices: the built-in table only. */
    public static final PricingSettings NONE = new PricingSettings(null, List.of());

    /**
     * Copies the prices, unmodifiable.
     *
     * @param file the price file, or null
     * @param prices single prices, not null; empty for none
     */
    public PricingSettings {
        prices = List.copyOf(prices);
    }

    /**
     * One model's price ({@code pricing.models[]}).
     *
     * @param provider the provider it applies to, or null for any
     * @param model the model id
     * @param price USD per million tokens
     */
    public record Entry(String provider, String model, ModelPrice price) {}
}
