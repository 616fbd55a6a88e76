package dev.llmrotate.observe;

/**
 * The price of a model in USD per million tokens.
 *
 * @param inputPerMillion prompt tokens
 * @param outputPerMillion completion tokens (reasoning tokens included)
 * @param cachedInputPerMillion prompt tokens read from the provider's cache; null charges them as input
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion, Double cachedInputPerMillion) {
    /**
     * Checks the prices.
     *
     * @param inputPerMillion USD per million prompt tokens, zero or more
     * @param outputPerMillion USD per million completion tokens, zero or more
     * @param cachedInputPerMillion USD per million cached prompt tokens, zero or more, or null
     * @throws IllegalArgumentException when a price is negative or NaN
     */
    public ModelPrice {
        if (!(inputPerMillion >= 0)
                || !(outputPerMillion >= 0)
                || (cachedInputPerMillion != null && !(cachedInputPerMillion >= 0))) {
            throw new IllegalArgumentException("prices must be non-negative numbers");
        }
    }

    /**
     * The cost of a call in USD. Cached input tokens are part of the input count and priced at the cached rate.
     *
     * @param inputTokens prompt tokens, cached ones included
     * @param cachedInputTokens of those, the ones read from cache (at most {@code inputTokens} count)
     * @param outputTokens completion tokens, reasoning included
     * @return the cost in USD
     */
    public double cost(long inputTokens, long cachedInputTokens, long outputTokens) {
        long cached = Math.min(cachedInputTokens, inputTokens);
        double cachedRate = cachedInputPerMillion == null ? inputPerMillion : cachedInputPerMillion;
        return ((inputTokens - cached) * inputPerMillion + cached * cachedRate + outputTokens * outputPerMillion)
                / 1_000_000.0;
    }
}
