package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library the label import tests start from: the six 300 x 300 sample cells with regions,
 * committed on branch {@code work}, and the checks those tests share.
 */
abstract class LabelImportFixture {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUpLibrary() throws IOException {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
        TrainingExportTest.addSample(library, tmp.resolve("in"));
        ok("commit", "-m", "regions");
    }

    CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    Path write(String name, String text) throws IOException {
        Path file = tmp.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    /** Runs a rejected import and checks exit 3, the message parts and an unchanged repository. */
    CliResult rejected(List<String> expectedInMessage, String... args) {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, args);
        assertEquals(3, r.exitCode(), r.toString());
        for (String part : expectedInMessage) {
            assertTrue(r.err().contains(part), "expected '" + part + "' in\n" + r);
        }
        assertEquals(before, RepoSnapshot.of(library), "repository unchanged");
        return r;
    }
}
