package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.DsvProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LANG=zh_CN.UTF-8 gives Chinese help and errors through scripts/dsv, both where the zh_CN
 * locale is installed and where it is not. glibc reads locales only from LOCPATH when it is set,
 * so an empty LOCPATH stands for a machine without the locale, and a LOCPATH that holds a zh_CN
 * locale built with localedef stands for one that has it. Running the jar without the launcher
 * shows that the JVM itself picks Chinese only in the second case.
 */
class ChineseLocaleIT {
    private static final Path JAR = Path.of("target", "dsv.jar").toAbsolutePath();

    @TempDir
    static Path shared;

    static Path noLocales;
    static Path zhLocale;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildLocales() throws IOException, InterruptedException {
        noLocales = Files.createDirectories(shared.resolve("no-locales"));
        zhLocale = Files.createDirectories(shared.resolve("zh-locale"));
        Path target = zhLocale.resolve("zh_CN.UTF-8");
        Process p;
        try {
            p = new ProcessBuilder("localedef", "-i", "zh_CN", "-f", "UTF-8", target.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("localedef is needed to build a zh_CN locale and was not found; install it with "
                    + "'apt-get install -y locales' (Debian), as .ci/run does: " + e.getMessage());
            return;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "localedef did not finish");
        assertTrue(Files.isDirectory(target.resolve("LC_MESSAGES")),
                "localedef did not build zh_CN.UTF-8 (exit " + p.exitValue() + "); install the locale sources with "
                        + "'apt-get install -y locales': " + log);
    }

    private static Map<String, String> chinese(Path locpath) {
        return Map.of("LANG", "zh_CN.UTF-8", "LOCPATH", locpath.toString());
    }

    /** Runs {@code java -jar target/dsv.jar ARGS...} without the launcher's locale handling. */
    private static CliResult runJar(Map<String, String> env, Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "-C", dir.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> environment = pb.environment();
        for (String name : List.of("DSV_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LOCPATH")) {
            environment.remove(name);
        }
        environment.putAll(env);
        try {
            Path out = Files.createTempFile("dsv-out", ".txt");
            Path err = Files.createTempFile("dsv-err", ".txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "java -jar did not finish");
            return new CliResult(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertChineseHelp(CliResult r) {
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("用法：dsv"), r.toString());
        assertTrue(r.out().contains("电致发光"), r.toString());
    }

    private static void assertEnglishHelp(CliResult r) {
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("Usage: dsv"), r.toString());
    }

    /** Checks that scripts/dsv prints Chinese help and a Chinese error (the folder is no repository). */
    private void assertLauncherSpeaksChinese(Map<String, String> env) {
        assertChineseHelp(DsvProcess.run(tmp, env, "--help"));
        CliResult error = DsvProcess.run(tmp, env, "status");
        assertEquals(4, error.exitCode(), error.toString());
        assertTrue(error.err().startsWith("dsv: 不是 dsv 仓库"), error.toString());
    }

    @Test
    void launcherSpeaksChineseWithoutInstalledLocale() {
        assertEnglishHelp(runJar(chinese(noLocales), tmp, "--help"));
        assertLauncherSpeaksChinese(chinese(noLocales));
    }

    @Test
    void launcherSpeaksChineseWithInstalledLocale() {
        assertChineseHelp(runJar(chinese(zhLocale), tmp, "--help"));
        assertLauncherSpeaksChinese(chinese(zhLocale));
    }

    @Test
    void localeVariablesTakePrecedence() {
        Map<String, String> messagesOnly = new HashMap<>(Map.of("LANG", "C.UTF-8", "LC_MESSAGES", "zh_CN.UTF-8"));
        assertChineseHelp(DsvProcess.run(tmp, messagesOnly, "--help"));

        Map<String, String> allOverridesLang = Map.of("LANG", "zh_CN.UTF-8", "LC_ALL", "C");
        assertEnglishHelp(DsvProcess.run(tmp, allOverridesLang, "--help"));

        Map<String, String> dsvLangFirst = Map.of("LANG", "zh_CN.UTF-8", "DSV_LANG", "en");
        assertEnglishHelp(DsvProcess.run(tmp, dsvLangFirst, "--help"));

        Map<String, String> dsvLangTag = Map.of("LANG", "C", "DSV_LANG", "zh-CN");
        assertChineseHelp(DsvProcess.run(tmp, dsvLangTag, "--help"));
    }
}
