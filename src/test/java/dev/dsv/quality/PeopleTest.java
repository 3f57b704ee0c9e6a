package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.policy.Policy;
import dev.dsv.service.Session;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.RepoSnapshot;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The people registry: history, pauses in the library time zone, verifier rotation, bad input. */
class PeopleTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib", "--time-zone", ZONE.getId()).exitCode());
        ok("switch", "-c", "work");
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private PeopleRegistry registry() {
        try (Session s = Session.open(library)) {
            return PeopleRegistry.load(s);
        }
    }

    private static LocalDate today() {
        return LocalDate.now(ZONE);
    }

    @Test
    void historyKeepsEveryChange() {
        ok("people", "add", "lab-01", "--role", "labeler", "--name", "Li Wei");
        ok("people", "set", "lab-01", "--role", "labeler,verifier");
        String until = today().plusDays(7).toString();
        ok("people", "pause", "lab-01", "--until", until, "--reason", "retraining");
        ok("people", "resume", "lab-01");
        ok("people", "rotate", "lab-01", "--start", "2026-01-05");

        PeopleRegistry registry = registry();
        List<Person> history = registry.history("lab-01");
        assertEquals(List.of("add", "change", "pause", "resume", "rotate"), history.stream().map(Person::event).toList());
        assertEquals(List.of("labeler"), history.get(0).roleNames());
        assertEquals(List.of("labeler", "verifier"), history.get(1).roleNames());
        assertEquals(today(), history.get(1).rotationStart(), "a new verifier starts a rotation today");
        assertEquals(LocalDate.parse(until), history.get(2).pausedUntil());
        assertEquals("retraining", history.get(2).pauseReason());
        assertEquals(Person.Status.ACTIVE, history.get(3).status());

        Person current = registry.find("lab-01").orElseThrow();
        assertEquals("rotate", current.event());
        assertEquals(LocalDate.parse("2026-01-05"), current.rotationStart());
        assertEquals("Li Wei", current.name());
        assertEquals(history.get(4), current);

        Person atPause = registry.at("lab-01", history.get(2).recordedAt()).orElseThrow();
        assertEquals("pause", atPause.event());
        assertTrue(registry.at("lab-01", history.get(0).recordedAt().minusSeconds(1)).isEmpty(),
                "nobody is registered before the first record");

        JsonNode shown = ok("--json", "people", "show", "lab-01").json();
        assertEquals(5, shown.path("history").size());
        assertEquals("pause", shown.path("history").get(2).path("event").asText());
        assertEquals("Li Wei", shown.path("person").path("name").asText());
    }

    @Test
    void pauseEndsAtLibraryDayStart() {
        ok("people", "add", "lab-02", "--role", "labeler");
        LocalDate until = today().plusDays(10);
        ok("people", "pause", "lab-02", "--until", until.toString(), "--reason", "gold test below 90%");

        PeopleRegistry registry = registry();
        OffsetDateTime lastPausedMinute = until.atStartOfDay(ZONE).minusMinutes(1).toOffsetDateTime();
        OffsetDateTime firstFreeMoment = until.atStartOfDay(ZONE).toOffsetDateTime();
        assertTrue(registry.isPausedAt("lab-02", lastPausedMinute));
        assertFalse(registry.isPausedAt("lab-02", firstFreeMoment));
        // The same instant written in UTC is still judged by the library's day.
        assertFalse(registry.isPausedAt("lab-02", firstFreeMoment.withOffsetSameInstant(java.time.ZoneOffset.UTC)));
        assertEquals("gold test below 90%", registry.pauseAt("lab-02", lastPausedMinute).orElseThrow().pauseReason());

        Person pause = registry.history("lab-02").get(1);
        assertFalse(registry.isPausedAt("lab-02", pause.recordedAt().minusSeconds(1)), "labels before the pause are in good standing");
        assertFalse(registry.isPausedAt("nobody", lastPausedMinute), "unknown labelers are never paused");

        JsonNode listed = ok("--json", "people", "list", "--role", "labeler").json().path("people");
        assertEquals(1, listed.size());
        assertTrue(listed.get(0).path("paused_now").asBoolean());
        assertEquals(until.toString(), listed.get(0).path("paused_until").asText());
        assertTrue(ok("people", "list").out().contains("paused until " + until + ": gold test below 90%"));

        ok("people", "resume", "lab-02");
        PeopleRegistry after = registry();
        assertFalse(after.isPausedAt("lab-02", OffsetDateTime.now().plusSeconds(1)));
    }

    @Test
    void verifierDueThenExpiredAtGivenDates() {
        LocalDate start = today().minusMonths(6).plusDays(3);
        ok("people", "add", "ver-01", "--role", "verifier", "--rotation-start", start.toString());
        LocalDate due = start.plusMonths(6);
        PeopleRegistry registry = registry();

        assertEquals(VerifierStanding.State.OK, standing(registry, "ver-01", due.minusDays(1), Policy.DEFAULT).state());
        VerifierStanding onDue = standing(registry, "ver-01", due, Policy.DEFAULT);
        assertEquals(VerifierStanding.State.DUE, onDue.state());
        assertEquals(due, onDue.dueOn());
        assertEquals(due.plusDays(14), onDue.expiresAfter());
        assertTrue(onDue.mayReview());
        assertTrue(onDue.rule().contains("6 months"), onDue.rule());
        assertEquals(VerifierStanding.State.DUE, standing(registry, "ver-01", due.plusDays(14), Policy.DEFAULT).state());
        VerifierStanding expired = standing(registry, "ver-01", due.plusDays(15), Policy.DEFAULT);
        assertEquals(VerifierStanding.State.EXPIRED, expired.state());
        assertFalse(expired.mayReview());

        LocalDate shortStart = today().minusMonths(3).plusDays(2);
        ok("people", "add", "ver-02", "--role", "verifier", "--rotation-start", shortStart.toString());
        Policy shortRotation = new Policy(List.of("verified"),
                Map.of("verifier.rotation_months", 3L, "verifier.grace_days", 0L));
        PeopleRegistry withShort = registry();
        LocalDate shortDue = shortStart.plusMonths(3);
        assertEquals(VerifierStanding.State.OK, standing(withShort, "ver-02", shortDue.minusDays(1), shortRotation).state());
        assertEquals(VerifierStanding.State.DUE, standing(withShort, "ver-02", shortDue, shortRotation).state());
        assertEquals(VerifierStanding.State.EXPIRED, standing(withShort, "ver-02", shortDue.plusDays(1), shortRotation).state());
        assertEquals(VerifierStanding.State.OK, standing(withShort, "ver-02", shortDue, Policy.DEFAULT).state(),
                "the same day is within the default 6 months");

        ok("people", "add", "lab-09", "--role", "labeler");
        assertEquals(VerifierStanding.State.NOT_VERIFIER,
                standing(registry(), "lab-09", today().plusDays(1), Policy.DEFAULT).state());

        ok("people", "rotate", "ver-01");
        assertEquals(VerifierStanding.State.OK, standing(registry(), "ver-01", due.plusDays(15), Policy.DEFAULT).state(),
                "a rotation today starts a new period");
    }

    @Test
    void verifierStandingListedNow() {
        ok("people", "add", "ver-old", "--role", "verifier", "--rotation-start", today().minusMonths(7).toString());
        ok("people", "add", "ver-new", "--role", "verifier,labeler");
        JsonNode people = ok("--json", "people", "list", "--role", "verifier").json().path("people");
        assertEquals(2, people.size());
        assertEquals("ver-new", people.get(0).path("id").asText());
        assertEquals("ok", people.get(0).path("verifier").path("state").asText());
        assertEquals("expired", people.get(1).path("verifier").path("state").asText());
        assertTrue(ok("people", "list").out().contains("verifier rotation expired"));
    }

    private static VerifierStanding standing(PeopleRegistry registry, String id, LocalDate day, Policy policy) {
        return registry.verifierStanding(id, day.atTime(12, 0).atZone(ZONE).toOffsetDateTime(), policy);
    }

    @Test
    void idsInAnyScriptCanBePausedAndResumed() {
        ok("people", "add", "李伟", "--role", "labeler");
        ok("people", "add", "अनुज-2", "--role", "labeler");
        ok("people", "add", "Zoë.M", "--role", "verifier");
        ok("people", "pause", "李伟", "--until", today().plusDays(3).toString(), "--reason", "gold test failed");
        assertTrue(registry().find("李伟").orElseThrow().isPaused(), "the pause applies to the registered id");
        ok("people", "resume", "李伟");
        assertTrue(registry().find("अनुज-2").isPresent());
        CliResult dash = Dsv.run(library, "people", "add", "-李伟", "--role", "labeler");
        assertTrue(dash.exitCode() != 0, dash.toString());
        CliResult symbol = Dsv.run(library, "people", "add", "李伟★", "--role", "labeler");
        assertEquals(3, symbol.exitCode(), symbol.toString());
        assertTrue(symbol.err().contains("any script"), symbol.toString());
    }

    @Test
    void badInputLeavesRegistryUnchanged() {
        ok("people", "add", "lab-01", "--role", "labeler");
        Map<String, String> before = RepoSnapshot.of(library);
        String[][] cases = {
            {"people", "add", "lab-02", "--role", "labeller"},
            {"people", "add", "lab 02", "--role", "labeler"},
            {"people", "add", "gold", "--role", "expert"},
            {"people", "add", "lab-01", "--role", "labeler"},
            {"people", "add", "lab-03", "--role", "labeler", "--rotation-start", "2026-01-01"},
            {"people", "pause", "lab-01", "--until", today().toString(), "--reason", "late"},
            {"people", "pause", "lab-99", "--until", today().plusDays(3).toString(), "--reason", "late"},
            {"people", "resume", "lab-01"},
            {"people", "rotate", "lab-01"},
        };
        for (String[] args : cases) {
            CliResult r = Dsv.run(library, args);
            assertEquals(3, r.exitCode(), String.join(" ", args) + "\n" + r);
            assertEquals(before, RepoSnapshot.of(library), String.join(" ", args));
        }
        CliResult badDate = Dsv.run(library, "people", "pause", "lab-01", "--until", "next week", "--reason", "x");
        assertEquals(2, badDate.exitCode(), badDate.toString());
        assertTrue(badDate.err().contains("YYYY-MM-DD"), badDate.toString());
        CliResult unknown = Dsv.run(library, "people", "show", "lab-99");
        assertEquals(3, unknown.exitCode());
        assertTrue(unknown.err().contains("dsv people add lab-99"), unknown.toString());
        assertEquals(before, RepoSnapshot.of(library));
        assertNull(registry().find("lab-02").orElse(null));
    }
}
