package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Every translation of Messages.properties has the same keys as the English bundle, and each of
 * its texts uses the same MessageFormat arguments ({0}, {1,number,0.0}, ...) and the same picocli
 * format specifiers (%n, %%, ${COMPLETION-CANDIDATES}) as the English text of that key.
 */
class MessagesBundleTest {
    private static final List<String> TRANSLATIONS = List.of("zh_CN");
    private static final Pattern PRINTF = Pattern.compile("%[n%sd]|\\$\\{[A-Z-]+}");
    private static final Pattern ENGLISH_PHRASE = Pattern.compile("\\b[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}\\b");
    private static final Pattern NESTED_ARGUMENT = Pattern.compile("\\{(\\d+)");

    private static Properties load(String name) throws IOException {
        String resource = "/dev/dsv/cli/" + name + ".properties";
        try (InputStream in = MessagesBundleTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing resource " + resource);
            Properties p = new Properties();
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                p.load(reader);
            }
            return p;
        }
    }

    /**
     * Returns the argument indices a MessageFormat pattern refers to, including those nested in a
     * choice format. Text between single quotes is literal, and '' is one apostrophe.
     */
    static Set<Integer> arguments(String pattern) {
        Set<Integer> indices = new TreeSet<>();
        boolean quoted = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\'') {
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '\'') {
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == '{' && !quoted) {
                int depth = 1;
                int end = i + 1;
                while (end < pattern.length() && depth > 0) {
                    char d = pattern.charAt(end);
                    if (d == '{') {
                        depth++;
                    } else if (d == '}') {
                        depth--;
                    }
                    end++;
                }
                Matcher m = NESTED_ARGUMENT.matcher(pattern.substring(i, end));
                while (m.find()) {
                    indices.add(Integer.parseInt(m.group(1)));
                }
                i = end - 1;
            }
        }
        return indices;
    }

    private static List<String> printfSpecifiers(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = PRINTF.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        found.sort(null);
        return found;
    }

    private static boolean isMessageFormat(String text) {
        try {
            new MessageFormat(text, Locale.ROOT);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void translationsHaveEveryKey() throws IOException {
        Set<String> english = load("Messages").stringPropertyNames();
        for (String locale : TRANSLATIONS) {
            Set<String> translated = load("Messages_" + locale).stringPropertyNames();
            Set<String> missing = new TreeSet<>(english);
            missing.removeAll(translated);
            Set<String> extra = new TreeSet<>(translated);
            extra.removeAll(english);
            assertEquals(Set.of(), missing, "keys of Messages.properties missing from Messages_" + locale);
            assertEquals(Set.of(), extra, "keys of Messages_" + locale + " that Messages.properties lacks");
        }
    }

    @Test
    void translationsKeepPlaceholders() throws IOException {
        Properties english = load("Messages");
        for (String locale : TRANSLATIONS) {
            Properties translated = load("Messages_" + locale);
            TreeMap<String, String> wrong = new TreeMap<>();
            for (String key : english.stringPropertyNames()) {
                String en = english.getProperty(key);
                String tr = translated.getProperty(key);
                if (tr == null) {
                    continue;
                }
                if (!arguments(en).equals(arguments(tr))) {
                    wrong.put(key, "arguments " + arguments(en) + " became " + arguments(tr));
                } else if (!printfSpecifiers(en).equals(printfSpecifiers(tr))) {
                    wrong.put(key, "format specifiers " + printfSpecifiers(en) + " became " + printfSpecifiers(tr));
                } else if (isMessageFormat(en) && !isMessageFormat(tr)) {
                    wrong.put(key, "not a valid MessageFormat pattern: " + tr);
                } else if (key.startsWith("usage.exitCodeList.")
                        && !en.substring(0, en.indexOf(':')).equals(tr.substring(0, Math.max(0, tr.indexOf(':'))))) {
                    wrong.put(key, "exit code " + en.substring(0, en.indexOf(':')) + " became " + tr);
                }
            }
            assertEquals(new TreeMap<>(), wrong, "Messages_" + locale + " texts whose placeholders differ from English");
        }
    }

    @Test
    void chineseTextsAreTranslated() throws IOException {
        Properties english = load("Messages");
        Properties chinese = load("Messages_zh_CN");
        Set<String> untranslated = new TreeSet<>();
        for (String key : english.stringPropertyNames()) {
            String en = english.getProperty(key);
            if (ENGLISH_PHRASE.matcher(en).find() && chinese.getProperty(key, "").codePoints()
                    .noneMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)) {
                untranslated.add(key);
            }
        }
        assertEquals(Set.of(), untranslated, "English sentences without any Chinese in Messages_zh_CN");
    }

    @Test
    void resourceBundleReadsChineseAsUtf8() throws IOException {
        ResourceBundle bundle = ResourceBundle.getBundle("dev.dsv.cli.Messages", Locale.SIMPLIFIED_CHINESE);
        assertEquals(Locale.SIMPLIFIED_CHINESE, bundle.getLocale());
        assertEquals(load("Messages_zh_CN").getProperty("error.notARepository"), bundle.getString("error.notARepository"));
        assertTrue(bundle.getString("error.notARepository").contains("不是 dsv 仓库"), bundle.getString("error.notARepository"));
    }

    /** Every command and subcommand has a description, and every option's descriptionKey exists. */
    @Test
    void everyCommandAndOptionIsDescribed() throws IOException {
        Properties english = load("Messages");
        Set<String> missing = new TreeSet<>();
        List<CommandLine> pending = new ArrayList<>(List.of(Subcommands.full()));
        while (!pending.isEmpty()) {
            CommandSpec spec = pending.remove(pending.size() - 1).getCommandSpec();
            String key = spec.qualifiedName(".") + ".usage.description";
            if (!english.containsKey(key)) {
                missing.add(key);
            }
            List<ArgSpec> arguments = new ArrayList<>(spec.options());
            arguments.addAll(spec.positionalParameters());
            for (ArgSpec argument : arguments) {
                String descriptionKey = argument instanceof OptionSpec o ? o.descriptionKey()
                        : ((PositionalParamSpec) argument).descriptionKey();
                // picocli looks up the standard --help and --version texts under "help" and "version" too.
                boolean standard = descriptionKey != null && descriptionKey.startsWith("mixinStandardHelpOptions.");
                if (descriptionKey != null && !descriptionKey.isEmpty() && !standard && !english.containsKey(descriptionKey)) {
                    missing.add(descriptionKey + " (" + spec.qualifiedName() + ")");
                }
            }
            pending.addAll(spec.commandLine().getSubcommands().values());
        }
        assertEquals(Set.of(), missing, "description keys missing from Messages.properties");
    }

    @Test
    void argumentParserHandlesQuotesAndChoices() {
        assertEquals(Set.of(0, 1), arguments("''{0}'' has {1,choice,1#1 problem|1<{1,number,integer} problems}"));
        assertEquals(Set.of(), arguments("'{0}' is quoted"));
        assertEquals(Set.of(2), arguments("it''s {2,number,0.0} MB"));
    }
}
