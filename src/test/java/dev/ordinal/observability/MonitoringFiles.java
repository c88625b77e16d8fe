package dev.ordinal.observability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads metric names out of docs/metrics.md and out of the PromQL of the Grafana dashboard. */
final class MonitoringFiles {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern BACKTICKED = Pattern.compile("`([a-z][a-z0-9_:]*)`");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "offset", "bool", "and", "or", "unless", "inf", "nan", "atan2");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private MonitoringFiles() {
    }

    /**
     * The series names docs/metrics.md documents: backticked names in the first cell of its table rows that look
     * like Prometheus series (contain an underscore).
     */
    static List<String> documentedMetricNames(String markdown) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : markdown.split("\n")) {
            if (!line.startsWith("|")) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 2) {
                continue;
            }
            Matcher m = BACKTICKED.matcher(cells[1]);
            while (m.find()) {
                if (m.group(1).contains("_")) {
                    names.add(m.group(1));
                }
            }
        }
        return new ArrayList<>(names);
    }

    /** A series is documented by its own name or, for histograms, by its family (without _bucket/_count/_sum/_max). */
    static boolean isDocumented(String series, List<String> documented) {
        if (documented.contains(series)) {
            return true;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
            if (series.endsWith(suffix) && documented.contains(series.substring(0, series.length() - suffix.length()))) {
                return true;
            }
        }
        return false;
    }

    /** Every metric name queried by the dashboard: its panels' {@code expr} and its variables' queries. */
    static List<String> dashboardMetricNames(Path dashboard) throws IOException {
        JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
        Set<String> names = new LinkedHashSet<>();
        List<String> exprs = new ArrayList<>();
        collect(root, "expr", exprs);
        exprs.forEach(e -> names.addAll(promqlMetricNames(e)));
        for (JsonNode variable : root.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            String text = query.isTextual() ? query.asText() : query.path("query").asText("");
            Matcher m = LABEL_VALUES.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return new ArrayList<>(names);
    }

    /** Metric names in one PromQL expression: identifiers that are not functions, keywords or label names. */
    static List<String> promqlMetricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", " ")   // string literals
                .replaceAll("\\{[^}]*}", " ")                        // label matchers
                .replaceAll("\\[[^]]*]", " ")                        // range selectors
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // label lists
                .replaceAll("\\$\\{?\\w+}?", " ");                   // Grafana variables
        Set<String> names = new LinkedHashSet<>();
        Matcher m = NAME.matcher(s);
        while (m.find()) {
            String word = m.group();
            boolean isCall = s.substring(m.end()).matches("(?s)\\s*\\(.*");
            boolean afterDigit = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!isCall && !afterDigit && !PROMQL_WORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return new ArrayList<>(names);
    }

    private static void collect(JsonNode node, String field, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals(field) && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                } else {
                    collect(e.getValue(), field, out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, field, out));
        }
    }
}
