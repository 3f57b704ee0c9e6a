package dev.dsv.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium for tests that check what a browser makes of a page. A missing browser fails
 * the test (it does not skip it) with the command that installs it.
 */
public final class Chromium {
    private static final long TIMEOUT_SECONDS = 120;

    private Chromium() {
    }

    /** Returns the Chromium executable on PATH, or fails the test with how to install it. */
    public static Path executable() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return fail("headless Chromium is needed to render the HTML report and was not found on PATH; "
                + "install it with 'apt-get install -y chromium' (Debian), as .ci/run does");
    }

    /** Loads the page and returns the DOM as Chromium serialises it once the page has loaded. */
    public static String dumpDom(Path page, Path workDir) {
        Path out = workDir.resolve("dom.html");
        run(workDir, out, "--dump-dom", page.toUri().toString());
        try {
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads the page and writes a PNG screenshot of the given size. */
    public static Path screenshot(Path page, Path png, int width, int height, Path workDir) {
        run(workDir, workDir.resolve("screenshot.log"), "--screenshot=" + png.toAbsolutePath(),
                "--window-size=" + width + "," + height, "--hide-scrollbars", page.toUri().toString());
        return png;
    }

    private static void run(Path workDir, Path stdout, String... args) {
        List<String> command = new ArrayList<>(List.of(executable().toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + workDir.resolve("profile").toAbsolutePath()));
        command.addAll(List.of(args));
        Path log = workDir.resolve("chromium-stderr.log");
        try {
            Process p = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("Chromium did not finish within " + TIMEOUT_SECONDS + " s; its log: " + Files.readString(log));
            }
            if (p.exitValue() != 0) {
                fail("Chromium exited with " + p.exitValue() + "; its log: " + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
