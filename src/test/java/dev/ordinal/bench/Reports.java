package dev.ordinal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the benchmarks write their Markdown reports ({@code target/bench}), and the machine facts each one states. */
final class Reports {
    /** The folder of the reports, made by the first {@link #write}. */
    static final Path OUT = Path.of("target", "bench");

    private Reports() {
    }

    /** The machine's load as {@code /proc/loadavg} says it (1, 5, 15 min, runnable/total, last pid), or "unknown". */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Writes {@code report} to {@code target/bench/<file>}, replacing an earlier one.
     *
     * @throws UncheckedIOException when the file cannot be written
     */
    static void write(String file, CharSequence report) {
        try {
            Files.createDirectories(OUT);
            Files.writeString(OUT.resolve(file), report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
