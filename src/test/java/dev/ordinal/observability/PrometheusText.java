package dev.ordinal.observability;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the Prometheus text format of /q/metrics the way a test needs it: series names and summed values. */
final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");

    private final String text;

    PrometheusText(String text) {
        this.text = text;
    }

    /** Every series name with at least one sample (e.g. {@code ordinal_ops_duration_seconds_bucket}). */
    Set<String> seriesNames() {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The sum of the samples of {@code name} whose labels include all of {@code labels} (0 when none). */
    double sum(String name, Map<String, String> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find() || !m.group(1).equals(name)) {
                continue;
            }
            String set = m.group(2) == null ? "" : m.group(2);
            if (labels.entrySet().stream().allMatch(e -> set.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                total += Double.parseDouble(m.group(3));
            }
        }
        return total;
    }

    /** The sample lines of {@code name} whose labels include all of {@code labels}. */
    String lines(String name, Map<String, String> labels) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.find() && m.group(1).equals(name)) {
                String set = m.group(2) == null ? "" : m.group(2);
                if (labels.entrySet().stream().allMatch(e -> set.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                    b.append(line).append('\n');
                }
            }
        }
        return b.toString();
    }

    String text() {
        return text;
    }
}
