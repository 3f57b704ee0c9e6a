package dev.dsv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs real dsv processes (through {@link DsvProcess}) for torture and load runs, timing each by
 * the wall clock of the calling JVM, from start to exit, JVM start-up included, and recording it
 * in an {@link OperationLog}. Thread-safe.
 */
public final class TimedDsv {
    /** A finished process: its result, wall time, and whether its exit code was not an allowed one. */
    public record Run(CliResult result, long wallMillis, boolean failed, String detail) {
        public int exitCode() {
            return result.exitCode();
        }
    }

    private final Path scratch;
    private final Map<String, String> env;
    private final OperationLog log;
    private final AtomicInteger counter = new AtomicInteger();
    private volatile java.io.PrintStream progress;

    /** Processes write their output to files in {@code scratch}, deleted once read. */
    public TimedDsv(Path scratch, Map<String, String> env, OperationLog log) {
        this.scratch = scratch;
        this.env = env;
        this.log = log;
    }

    public OperationLog log() {
        return log;
    }

    /** Prints a line per finished process (operation, exit code, wall time) to {@code out}. */
    public TimedDsv printingTo(java.io.PrintStream out) {
        this.progress = out;
        return this;
    }

    /**
     * Runs {@code dsv -C dir ARGS...} to completion (killed after 30 minutes) and records it under
     * {@code operation}. The detail names the arguments, the exit code, stderr and, for a JSON
     * error, stdout.
     */
    public Run run(Path dir, String operation, Set<Integer> allowed, String... args) {
        int n = counter.incrementAndGet();
        Path out = scratch.resolve(n + ".out");
        Path err = scratch.resolve(n + ".err");
        try {
            Files.createDirectories(scratch);
            long t0 = System.nanoTime();
            Process p = DsvProcess.start(dir, env, out, err, args);
            boolean finished = p.waitFor(30, TimeUnit.MINUTES);
            if (!finished) {
                p.destroyForcibly().waitFor();
            }
            long wallMillis = (System.nanoTime() - t0) / 1_000_000;
            CliResult r = new CliResult(finished ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            boolean failed = !allowed.contains(r.exitCode());
            String detail = String.join(" ", args) + " -> exit " + r.exitCode()
                    + (finished ? "" : " (killed after 30 minutes)") + ": " + r.err().strip()
                    + (r.exitCode() != 0 && r.out().contains("\"error\"") ? " " + r.out().strip() : "");
            log.add(new OperationLog.Entry(operation, r.exitCode(), wallMillis, failed, detail));
            java.io.PrintStream lines = progress;
            if (lines != null) {
                lines.printf("  %-16s exit %3d %8d ms%n", operation, r.exitCode(), wallMillis);
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return new Run(r, wallMillis, failed, detail);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
