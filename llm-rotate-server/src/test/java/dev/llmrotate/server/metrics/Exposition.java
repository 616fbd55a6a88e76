package dev.llmrotate.server.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 and of OpenMetrics 1.0 text, written for the tests
 * from the two specifications (not from the library that writes them). It refuses anything either format does not
 * allow or that a well-formed exposition would not contain: a line that is neither a sample nor a {@code # HELP},
 * {@code # TYPE} (or, in OpenMetrics, {@code # UNIT}, and {@code # EOF} last), an invalid metric or label name, an
 * unescaped or duplicate label, a value that is not a float, a sample outside the family its name belongs to, a
 * family declared twice, a series given twice, a histogram whose buckets are not in order, not cumulative or do not
 * end in {@code +Inf} equal to its {@code _count}, a state set whose series are not 0 or 1 with exactly one 1.
 */
final class Exposition {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(Inf|NaN|(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?)");
    private static final Set<String> TEXT_TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final Set<String> OPENMETRICS_TYPES =
            Set.of("counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown");

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** One metric family: its TYPE, HELP, UNIT and samples in order. */
    static final class Family {
        final String name;
        final String type;
        String help;
        String unit;
        final List<Sample> samples = new ArrayList<>();

        Family(String name, String type) {
            this.name = name;
            this.type = type;
        }
    }

    final Map<String, Family> families = new LinkedHashMap<>();

    private final boolean openMetrics;

    private Exposition(boolean openMetrics) {
        this.openMetrics = openMetrics;
    }

    static Exposition parseText(String body) {
        return new Exposition(false).parse(body);
    }

    static Exposition parseOpenMetrics(String body) {
        return new Exposition(true).parse(body);
    }

    private Exposition parse(String body) {
        check(body.endsWith("\n"), "the exposition does not end with a newline");
        String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
        Family current = null;
        Map<String, String> pendingHelp = new LinkedHashMap<>();
        Map<String, String> pendingUnit = new LinkedHashMap<>();
        Set<String> series = new HashSet<>();
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            if (openMetrics && line.equals("# EOF")) {
                check(n == lines.length - 1, where + "# EOF before the end");
                finish();
                return this;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                check(parts.length >= 3 && parts[0].equals("#"), where + "a comment that is not HELP or TYPE");
                String keyword = parts[1];
                String name = parts[2];
                check(METRIC_NAME.matcher(name).matches(), where + "invalid metric name");
                String rest = parts.length == 4 ? parts[3] : "";
                switch (keyword) {
                    case "TYPE" -> {
                        check((openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES).contains(rest), where + "unknown type");
                        check(!families.containsKey(name), where + "family declared twice");
                        current = new Family(name, rest);
                        families.put(name, current);
                        if (pendingHelp.containsKey(name)) {
                            current.help = pendingHelp.remove(name);
                        }
                        if (pendingUnit.containsKey(name)) {
                            current.unit = pendingUnit.remove(name);
                        }
                    }
                    case "HELP" -> {
                        check(!rest.isEmpty(), where + "empty HELP");
                        if (current != null && current.name.equals(name) && current.samples.isEmpty()) {
                            check(current.help == null, where + "HELP given twice");
                            current.help = rest;
                        } else {
                            check(!families.containsKey(name), where + "HELP after the family's samples");
                            check(pendingHelp.put(name, rest) == null, where + "HELP given twice");
                            current = null;
                        }
                    }
                    case "UNIT" -> {
                        check(openMetrics, where + "UNIT is not in the text format 0.0.4");
                        check(name.endsWith("_" + rest), where + "the family name does not end with its unit");
                        if (current != null && current.name.equals(name) && current.samples.isEmpty()) {
                            current.unit = rest;
                        } else {
                            pendingUnit.put(name, rest);
                            current = null;
                        }
                    }
                    default -> throw new AssertionError(where + "a comment that is not HELP or TYPE");
                }
                continue;
            }
            check(!line.isEmpty(), where + "an empty line");
            check(current != null, where + "a sample before its family's TYPE");
            Sample sample = sample(line, where);
            check(belongs(current, sample), where + "not a sample of the family " + current.name);
            String id = sample.name + sample.labels;
            check(series.add(id), where + "the same series twice");
            current.samples.add(sample);
        }
        check(!openMetrics, "OpenMetrics exposition without # EOF");
        finish();
        return this;
    }

    private Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        check(METRIC_NAME.matcher(name).matches(), where + "invalid metric name");
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                check(eq > i, where + "a label without '='");
                String label = line.substring(i, eq);
                check(LABEL_NAME.matcher(label).matches(), where + "invalid label name '" + label + "'");
                check(line.charAt(eq + 1) == '"', where + "an unquoted label value");
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(j + 1);
                        check(next == '\\' || next == '"' || next == 'n', where + "an invalid escape");
                        value.append(next == 'n' ? '\n' : next);
                        j += 2;
                    } else {
                        value.append(c);
                        j++;
                    }
                }
                check(labels.put(label, value.toString()) == null, where + "label '" + label + "' twice");
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                    check(line.charAt(i) != '}' || !openMetrics, where + "a trailing comma");
                } else {
                    check(line.charAt(i) == '}', where + "labels not separated by ','");
                }
            }
            i++;
        }
        check(i < line.length() && line.charAt(i) == ' ', where + "no space before the value");
        String[] rest = line.substring(i + 1).split(" ", -1);
        check(rest.length == 1 || rest.length == 2, where + "more than a value and a timestamp");
        check(FLOAT.matcher(rest[0]).matches(), where + "the value is not a float");
        return new Sample(name, Collections.unmodifiableMap(labels), parseDouble(rest[0]));
    }

    private static double parseDouble(String value) {
        return switch (value) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN", "+NaN", "-NaN" -> Double.NaN;
            default -> Double.parseDouble(value);
        };
    }

    /** Whether a sample's name (and an {@code le} label) fits its family's type. */
    private boolean belongs(Family family, Sample sample) {
        String name = sample.name;
        String base = family.name;
        boolean le = sample.labels.containsKey("le");
        return switch (family.type) {
            case "counter" ->
                openMetrics
                        ? (name.equals(base + "_total") || name.equals(base + "_created")) && !le
                        : name.equals(base) && !le;
            case "histogram" ->
                (name.equals(base + "_bucket") && le)
                        || ((name.equals(base + "_count")
                                        || name.equals(base + "_sum")
                                        || (openMetrics && name.equals(base + "_created")))
                                && !le);
            case "stateset" -> name.equals(base) && sample.labels.containsKey(base);
            default -> name.equals(base) && !le;
        };
    }

    /** Checks over whole families: histograms' buckets, state sets' values, one label set per family. */
    private void finish() {
        for (Family family : families.values()) {
            check(!family.samples.isEmpty(), family.name + ": a family without samples");
            if (family.type.equals("histogram")) {
                checkHistogram(family);
            }
            if (family.type.equals("stateset")) {
                checkStateSet(family);
            }
            Set<Set<String>> labelNames = new HashSet<>();
            for (Sample sample : family.samples) {
                Set<String> names = new java.util.TreeSet<>(sample.labels.keySet());
                names.remove("le");
                labelNames.add(names);
            }
            check(labelNames.size() == 1, family.name + ": samples with different label names " + labelNames);
        }
    }

    private void checkHistogram(Family family) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample sample : family.samples) {
            if (sample.name.endsWith("_bucket")) {
                Map<String, String> series = new TreeMap<>(sample.labels);
                series.remove("le");
                buckets.computeIfAbsent(series, s -> new ArrayList<>()).add(sample);
            } else if (sample.name.endsWith("_count")) {
                counts.put(sample.labels, sample.value);
            }
        }
        check(buckets.keySet().equals(counts.keySet()), family.name + ": buckets and counts of different series");
        buckets.forEach((series, list) -> {
            double previousBound = Double.NEGATIVE_INFINITY;
            double previousCount = 0;
            for (Sample bucket : list) {
                double bound = parseDouble(bucket.labels.get("le"));
                check(bound > previousBound, family.name + series + ": bucket bounds not increasing");
                check(bucket.value >= previousCount, family.name + series + ": buckets not cumulative");
                previousBound = bound;
                previousCount = bucket.value;
            }
            check(previousBound == Double.POSITIVE_INFINITY, family.name + series + ": no +Inf bucket");
            check(previousCount == counts.get(series), family.name + series + ": +Inf bucket differs from _count");
        });
    }

    private void checkStateSet(Family family) {
        Map<Map<String, String>, Integer> ones = new LinkedHashMap<>();
        for (Sample sample : family.samples) {
            check(sample.value == 0 || sample.value == 1, family.name + ": a state set value other than 0 or 1");
            Map<String, String> series = new TreeMap<>(sample.labels);
            series.remove(family.name);
            ones.merge(series, (int) sample.value, Integer::sum);
        }
        ones.forEach((series, count) -> check(count == 1, family.name + series + ": not exactly one state"));
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new AssertionError("invalid exposition: " + problem);
        }
    }

    // Queries.

    /** Every sample named {@code name}, in every family. */
    List<Sample> samples(String name) {
        List<Sample> found = new ArrayList<>();
        for (Family family : families.values()) {
            for (Sample sample : family.samples) {
                if (sample.name.equals(name)) {
                    found.add(sample);
                }
            }
        }
        return found;
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels} (key, value, key, value...). */
    double sum(String name, String... labels) {
        double total = 0;
        for (Sample sample : samples(name)) {
            boolean match = true;
            for (int i = 0; i < labels.length; i += 2) {
                match &= labels[i + 1].equals(sample.labels.get(labels[i]));
            }
            if (match) {
                total += sample.value;
            }
        }
        return total;
    }

    /** The one sample named {@code name} with exactly these labels; fails when there is none. */
    double value(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        for (Sample sample : samples(name)) {
            if (sample.labels.equals(wanted)) {
                return sample.value;
            }
        }
        throw new AssertionError("no sample " + name + wanted + " in " + samples(name));
    }

    /** The label names of a family's samples ({@code le} and a state set's own label left out). */
    Set<String> labelNames(String family) {
        Family f = families.get(family);
        if (f == null) {
            throw new AssertionError("no family " + family + " in " + families.keySet());
        }
        Set<String> names = new java.util.TreeSet<>(f.samples.get(0).labels.keySet());
        names.remove("le");
        names.remove(family);
        return names;
    }

    /** Every value of one label over all families' samples. */
    Set<String> labelValues(String label) {
        Set<String> values = new java.util.TreeSet<>();
        for (Family family : families.values()) {
            for (Sample sample : family.samples) {
                if (sample.labels.containsKey(label)) {
                    values.add(sample.labels.get(label));
                }
            }
        }
        return values;
    }
}
