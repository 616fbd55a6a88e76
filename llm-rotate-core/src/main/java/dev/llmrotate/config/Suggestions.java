package dev.llmrotate.config;

import java.util.Collection;

/**
 * "Did you mean" hints for misspelt names in configuration, shared with the modules that check blocks of their own
 * ({@link LlmRotateConfig#MODULE_BLOCKS}).
 */
public final class Suggestions {
    private Suggestions() {}

    /**
     * {@code ; did you mean 'x'?} for the closest known name within a small edit distance, or an empty string.
     *
     * @param given the name as written, not null
     * @param known the names that are valid there
     * @return the hint to append to a message, or an empty string when no known name is close (case is ignored)
     */
    public static String didYouMean(String given, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(given.toLowerCase(), candidate.toLowerCase());
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        int allowed = Math.max(2, given.length() / 3);
        return best != null && bestDistance <= allowed ? "; did you mean '" + best + "'?" : "";
    }

    /** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("modles" -> "models" is 1). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
