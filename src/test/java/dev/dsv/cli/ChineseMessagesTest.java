package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under a zh_CN default locale, usage help and errors come from Messages_zh_CN, while command
 * names, option names and JSON keys stay English.
 */
class ChineseMessagesTest {
    private static final ResourceBundle CHINESE = ResourceBundle.getBundle("dev.dsv.cli.Messages", Locale.SIMPLIFIED_CHINESE);

    @TempDir
    Path tmp;

    /** Runs the action with zh_CN as the JVM's default locale, as scripts/dsv sets it for LANG=zh_CN.UTF-8. */
    static <T> T inChinese(Supplier<T> action) {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.SIMPLIFIED_CHINESE);
        try {
            return action.get();
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void topLevelHelpInChinese() {
        CliResult r = inChinese(() -> Dsv.run(tmp, "--help"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("用法：dsv"), r.out());
        assertTrue(r.out().contains(CHINESE.getString("dsv.usage.description")), r.out());
        assertTrue(r.out().contains("命令："), r.out());
        assertTrue(r.out().contains("退出码："), r.out());
        assertTrue(r.out().contains("--json"), "option names stay English: " + r.out());
        assertTrue(Pattern.compile("\n  commit +" + Pattern.quote(CHINESE.getString("dsv.commit.usage.description")))
                .matcher(r.out()).find(), r.out());
        assertFalse(r.out().contains("Usage:"), r.out());
    }

    @Test
    void subcommandHelpInChinese() {
        CliResult r = inChinese(() -> Dsv.run(tmp, "export", "--help"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("用法：dsv export"), r.out());
        assertTrue(r.out().contains("选项："), r.out());
        assertTrue(r.out().contains("清单格式：CSV, JSONL（默认：csv）。"), "completion candidates filled in: " + r.out());
        assertFalse(r.out().contains("${"), r.out());
    }

    @Test
    void errorInChinese() {
        Path notARepository = tmp.toAbsolutePath();
        CliResult r = inChinese(() -> Dsv.run(notARepository, "status"));
        assertEquals(4, r.exitCode(), r.toString());
        String expected = new MessageFormat(CHINESE.getString("error.notARepository"), Locale.SIMPLIFIED_CHINESE)
                .format(new Object[] {notARepository});
        assertEquals("dsv: " + expected + "\n", r.err());
        assertTrue(r.err().contains("不是 dsv 仓库"), r.err());
    }

    @Test
    void jsonErrorKeepsEnglishKeys() {
        CliResult r = inChinese(() -> Dsv.run(tmp, "--json", "status"));
        assertEquals(4, r.exitCode(), r.toString());
        JsonNode error = r.json().path("error");
        assertEquals("not_a_repository", error.path("code").asText(), r.out());
        assertEquals(4, error.path("exit_code").asInt(), r.out());
        assertTrue(error.path("message").asText().contains("不是 dsv 仓库"), r.out());
    }

    @Test
    void usageErrorHintInChinese() {
        CliResult r = inChinese(() -> Dsv.run(tmp, "ls", "--no-such-option"));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("dsv: 用法错误：Unknown option: '--no-such-option'"), r.err());
        assertTrue(r.err().contains("运行“dsv ls --help”查看用法。"), r.err());
    }

    @Test
    void englishLocaleStaysEnglish() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.US);
        try {
            CliResult r = Dsv.run(tmp, "--help");
            assertTrue(r.out().startsWith("Usage: dsv"), r.out());
        } finally {
            Locale.setDefault(before);
        }
    }
}
