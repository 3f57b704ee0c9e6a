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
}
