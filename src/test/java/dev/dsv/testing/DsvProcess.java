package dev.dsv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs dsv through {@code scripts/dsv}, as a user or CI job would, in its own JVM. Needs the
 * packaged jar, so only integration tests (run after {@code package}) use it.
 */
public final class DsvProcess {
    public static final Path LAUNCHER = Path.of("scripts", "dsv").toAbsolutePath();
    private static final List<String> LOCALE_VARIABLES = List.of("DSV_LANG", "LC_ALL", "LC_MESSAGES", "LANG");

    private DsvProcess() {
    }

    /**
     * Starts {@code scripts/dsv -C dir ARGS...} with extra environment variables. The locale
     * variables of the test run are replaced by LANG=C.UTF-8 unless {@code env} sets them.
     */
    public static Process start(Path dir, Map<String, String> env, Path stdout, Path stderr, String... args) {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.add("-C");
        command.add(dir.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // Messages follow the locale, and the tests expect English unless they pass a locale in env.
        for (String name : LOCALE_VARIABLES) {
            pb.environment().remove(name);
        }
        pb.environment().put("LANG", "C.UTF-8");
        pb.environment().putAll(env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command to completion (at most 10 minutes) and returns its result. */
    public static CliResult run(Path dir, Map<String, String> env, String... args) {
        try {
            Path out = Files.createTempFile("dsv-out", ".txt");
            Path err = Files.createTempFile("dsv-err", ".txt");
            Process p = start(dir, env, out, err, args);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("dsv " + String.join(" ", args) + " did not finish in 10 minutes");
            }
            CliResult r = new CliResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static CliResult run(Path dir, String... args) {
        return run(dir, Map.of(), args);
    }
}
