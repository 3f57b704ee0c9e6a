package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ResourceBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dsv help COMMAND...} at every depth, in English and Chinese, and {@code dsv completion}. */
class HelpCommandTest {
    private static final ResourceBundle CHINESE = ResourceBundle.getBundle("dev.dsv.cli.Messages", Locale.SIMPLIFIED_CHINESE);

    @TempDir
    Path tmp;

    @Test
    void helpMatchesHelpOption() {
        String[][] commands = {{}, {"review"}, {"review", "sample"}, {"model", "register"}, {"help"}};
        for (String[] command : commands) {
            CliResult viaHelp = Dsv.run(tmp, concat(new String[] {"help"}, command));
            CliResult viaOption = Dsv.run(tmp, concat(command, new String[] {"--help"}));
            assertEquals(0, viaHelp.exitCode(), viaHelp.toString());
            assertEquals(viaOption.out(), viaHelp.out(), String.join(" ", command));
        }
    }

    @Test
    void nestedHelpShowsSubcommand() {
        CliResult r = Dsv.run(tmp, "help", "review", "sample");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("Usage: dsv review sample "), r.out());
        assertTrue(r.out().contains("--rate=R"), r.out());
    }

    @Test
    void helpUnknownCommandIsUsageError() {
        CliResult nested = Dsv.run(tmp, "help", "review", "nosuch");
        assertEquals(2, nested.exitCode(), nested.toString());
        assertEquals("", nested.out());
        assertTrue(nested.err().contains("'nosuch'"), nested.err());
        assertTrue(nested.err().contains("'dsv review'"), nested.err());
        assertTrue(nested.err().contains("Run 'dsv review --help'"), nested.err());

        CliResult top = Dsv.run(tmp, "help", "nosuch");
        assertEquals(2, top.exitCode(), top.toString());
        assertTrue(top.err().contains("'nosuch' in 'dsv'"), top.err());
    }

    @Test
    void nestedHelpInChinese() {
        CliResult viaHelp = ChineseMessagesTest.inChinese(() -> Dsv.run(tmp, "help", "review", "sample"));
        CliResult viaOption = ChineseMessagesTest.inChinese(() -> Dsv.run(tmp, "review", "sample", "--help"));
        assertEquals(0, viaHelp.exitCode(), viaHelp.toString());
        assertEquals(viaOption.out(), viaHelp.out());
        assertTrue(viaHelp.out().startsWith("用法：dsv review sample"), viaHelp.out());

        CliResult unknown = ChineseMessagesTest.inChinese(() -> Dsv.run(tmp, "help", "review", "nosuch"));
        assertEquals(2, unknown.exitCode(), unknown.toString());
        String expected = CHINESE.getString("error.help.unknownCommand")
                .replace("{0}", "nosuch").replace("{1}", "dsv review");
        assertTrue(unknown.err().contains(expected), unknown.err());
    }

    @Test
    void completionScriptCoversCommands() {
        CliResult bash = Dsv.run(tmp, "completion", "bash");
        CliResult zsh = Dsv.run(tmp, "completion", "zsh");
        assertEquals(0, bash.exitCode(), bash.toString());
        assertEquals(bash.out(), zsh.out(), "one script serves bash and zsh");
        assertTrue(bash.out().contains("complete -F _complete_dsv"), "registers a bash completion function");
        assertTrue(bash.out().contains("bashcompinit"), "loads bashcompinit under zsh");
        for (String command : new String[] {"review", "promote", "completion", "help"}) {
            assertTrue(bash.out().contains(command), command);
        }

        CliResult json = Dsv.run(tmp, "--json", "completion", "zsh");
        assertEquals(0, json.exitCode(), json.toString());
        assertEquals("zsh", json.json().path("shell").asText());
        assertEquals(bash.out(), json.json().path("script").asText());

        CliResult fish = Dsv.run(tmp, "completion", "fish");
        assertEquals(2, fish.exitCode(), fish.toString());
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
