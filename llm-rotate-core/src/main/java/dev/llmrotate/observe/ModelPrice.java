package dev.llmrotate.observe;

/**
 * The price of a model in USD per million tokens.
 *
 * @param inputPerMillion prompt tokens
 * @param outputPerMillion completion tokens (reasoning tokens included)
 * @param cachedInputPerMillion prompt tokens read from the provider's cache; null charges them as input
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion, Double cachedInputPerMillion) {
    public ModelPrice {
        if (!(inputPerMillion >= 0)
                || !(outputPerMillion >= 0)
                || (cachedInputPerMillion != null && !(cachedInputPerMillion >= 0))) {
            throw new IllegalArgumentException("prices must be non-negative numbers");
        }
    }

    /** The cost of a call in USD. Cached input tokens are part of the input count and priced at the cached rate. */
    public double cost(long inputTokens, long cachedInputTokens, long outputTokens) {
        long cached = Math.min(cachedInputTokens, inputTokens);
        double cachedRate = cachedInputPerMillion == null ? inputPerMillion : cachedInputPerMillion;
        return ((inputTokens - cached) * inputPerMillion + cached * cachedRate + outputTokens * outputPerMillion)
                / 1_000_000.0;
    }
}
