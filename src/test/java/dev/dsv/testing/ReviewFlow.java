package dev.dsv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * The review steps that stand before a promotion in tests: register a verifier, sample a
 * revision and pass every sampled label record. Runs through a given CLI runner
 * ({@code Dsv::run} in-process, {@code DsvProcess::run} through scripts/dsv).
 */
public final class ReviewFlow {
    private ReviewFlow() {
    }

    /** Registers a verifier whose rotation starts today. */
    public static void addVerifier(BiFunction<Path, String[], CliResult> dsv, Path library, String id) {
        ok(dsv, library, "people", "add", id, "--role", "verifier");
    }

    /** Samples {@code rev} and records a pass for every sampled record; returns the number passed. */
    public static int passAll(BiFunction<Path, String[], CliResult> dsv, Path library, String rev, String verifier) {
        JsonNode sample = ok(dsv, library, "--json", "review", "sample", rev).json();
        if (sample.path("items").isEmpty()) {
            return 0;
        }
        StringBuilder csv = new StringBuilder("label,decision\n");
        sample.path("items").forEach(i -> csv.append(i.path("label").asText()).append(",pass\n"));
        try {
            Path file = Files.createTempFile(library.getParent(), "decisions-", ".csv");
            Files.writeString(file, csv);
            ok(dsv, library, "review", "record", file.toString(), "--verifier", verifier);
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sample.path("items").size();
    }

    private static CliResult ok(BiFunction<Path, String[], CliResult> dsv, Path library, String... args) {
        CliResult r = dsv.apply(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }
}
