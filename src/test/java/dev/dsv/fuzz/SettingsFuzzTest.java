package dev.dsv.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for the settings files a user writes by hand: a branch policy set with
 * {@code dsv policy --set FILE}, and the repository configuration {@code .dsv/config.json}, which
 * every command reads.
 */
class SettingsFuzzTest {
    private static FuzzLibrary lib;

    @BeforeAll
    static void library() {
        lib = FuzzLibrary.create();
    }

    @FuzzTest(maxDuration = "2h")
    void policy(byte[] input) {
        lib.inputs();
        Path file = lib.write("policy.json", input);
        lib.run("policy", "--set", file.toString());
        lib.run("policy");
    }

    /** A hand-edited configuration: reading commands and a writing one must fail cleanly or work. */
    @FuzzTest(maxDuration = "2h")
    void repositoryConfig(byte[] input) {
        lib.prepare();
        try {
            Files.write(lib.library().resolve(".dsv/config.json"), input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lib.changed();
        lib.run("status");
        lib.run("config", "list");
        lib.run("label", "set", "batch/cell0001.png", "--defect", "crack", "--labeler", "fuzz");
    }
}
