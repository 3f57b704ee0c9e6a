package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.RepoSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy settings through {@code dsv policy --set} and the library time zone through {@code dsv init}. */
class SettingsCommandsTest {
    @TempDir
    Path tmp;

    private Path init(String... extra) {
        String[] args = new String[extra.length + 2];
        args[0] = "init";
        args[1] = "lib";
        System.arraycopy(extra, 0, args, 2, extra.length);
        CliResult r = Dsv.run(tmp, args);
        assertEquals(0, r.exitCode(), r.toString());
        return tmp.resolve("lib");
    }

    @Test
    void initRecordsTimeZone() throws Exception {
        Path lib = init("--time-zone", "Asia/Shanghai");
        String config = Files.readString(lib.resolve(".dsv/config.json"));
        assertTrue(config.contains("\"time_zone\" : \"Asia/Shanghai\""), config);
    }

    @Test
    void initRejectsUnknownZone() {
        CliResult r = Dsv.run(tmp, "init", "lib", "--time-zone", "Mars/Olympus");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("Mars/Olympus"), r.toString());
        assertTrue(!Files.exists(tmp.resolve("lib/.dsv")), "no repository is created");
    }

    @Test
    void policySetStoresChangedSettings() throws Exception {
        Path lib = init();
        assertEquals(0, Dsv.run(lib, "switch", "-c", "work").exitCode());
        Path file = tmp.resolve("policy.json");
        Files.writeString(file, "{\"gates\": [\"verified\"], \"settings\": {\"review.rate\": 0.1, \"gold.pause_days\": 7}}");
        CliResult set = Dsv.run(lib, "--json", "policy", "--set", file.toString());
        assertEquals(0, set.exitCode(), set.toString());
        JsonNode doc = set.json();
        assertEquals("0.1", doc.path("settings").path("review.rate").asText());
        assertEquals(7, doc.path("settings").path("gold.pause_days").asInt());
        assertEquals(1, doc.path("changed_settings").size(), "a setting equal to its default is not stored");
        CliResult shown = Dsv.run(lib, "policy");
        assertTrue(shown.out().contains("review.rate = 0.1\n"), shown.toString());
        assertTrue(shown.out().contains("gold.pause_days = 7 (default)"), shown.toString());
    }

    @Test
    void policySetRejectsUnknownSetting() throws Exception {
        Path lib = init();
        assertEquals(0, Dsv.run(lib, "switch", "-c", "work").exitCode());
        Path file = tmp.resolve("policy.json");
        Files.writeString(file, "{\"gates\": [\"verified\"], \"settings\": {\"review.ratio\": 0.1}}");
        Map<String, String> before = RepoSnapshot.of(lib);
        CliResult r = Dsv.run(lib, "policy", "--set", file.toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains(file.toString()), r.toString());
        assertTrue(r.err().contains("review.ratio"), r.toString());
        assertTrue(r.err().contains("review.rate"), "the known settings are listed: " + r);
        assertEquals(before, RepoSnapshot.of(lib));

        Files.writeString(file, "{\"gates\": [\"verified\"], \"settings\": {\"gold.pause_days\": \"a week\"}}");
        CliResult kind = Dsv.run(lib, "policy", "--set", file.toString());
        assertEquals(3, kind.exitCode(), kind.toString());
        assertTrue(kind.err().contains("gold.pause_days"), kind.toString());
        assertEquals(before, RepoSnapshot.of(lib));
    }

    @Test
    void policySetRejectsOutOfRangeSettings() throws Exception {
        Path lib = init();
        assertEquals(0, Dsv.run(lib, "switch", "-c", "work").exitCode());
        Path file = tmp.resolve("policy.json");
        Map<String, String> before = RepoSnapshot.of(lib);
        String[][] bad = {
            {"review.rate", "2", "more than 0 and at most 1"},
            {"review.rate", "0", "more than 0 and at most 1"},
            {"review.max_reject_rate", "-1", "from 0 to 1"},
            {"gold.pass_mark", "5", "from 0 to 1"},
            {"gold.min_agreement", "1.5", "from 0 to 1"},
            {"synthetic.max_ratio", "1.01", "from 0 to 1"},
            {"leakage.near_min_correlation", "-0.2", "from 0 to 1"},
            {"gold.pause_days", "-3", "1 or more"},
            {"verifier.rotation_months", "0", "1 or more"},
            {"gold.min_experts", "0", "1 or more"},
            {"synthetic.min_generators", "0", "1 or more"},
            {"verifier.grace_days", "-1", "0 or more"},
            {"leakage.max_exact_duplicates", "-1", "0 or more"},
            {"leakage.group_key", "\"pattern:([\"", "pattern:REGEX"},
            {"leakage.group_key", "\"module\"", "attr:NAME"},
            {"leakage.group_key", "\"attr:\"", "attr:NAME"},
        };
        for (String[] b : bad) {
            Files.writeString(file, "{\"gates\": [\"verified\"], \"settings\": {\"" + b[0] + "\": " + b[1] + "}}");
            CliResult r = Dsv.run(lib, "policy", "--set", file.toString());
            assertEquals(3, r.exitCode(), r.toString());
            assertTrue(r.err().contains(file.toString()), "names the file: " + r);
            assertTrue(r.err().contains("setting " + b[0] + " cannot be "), "names the key: " + r);
            assertTrue(r.err().contains(" " + b[1]) || r.err().contains(b[1].replace("\"", "") + ";"), "names the value: " + r);
            assertTrue(r.err().contains(b[2]), "names the allowed range: " + r);
            assertEquals(before, RepoSnapshot.of(lib));
        }
        // The edges of each range are allowed.
        Files.writeString(file, "{\"gates\": [\"verified\"], \"settings\": {\"review.rate\": 1, \"gold.pass_mark\": 0,"
                + " \"verifier.grace_days\": 0, \"gold.min_experts\": 1, \"leakage.group_key\": \"pattern:^(M[0-9]+)_\"}}");
        CliResult good = Dsv.run(lib, "policy", "--set", file.toString());
        assertEquals(0, good.exitCode(), good.toString());
    }
}
