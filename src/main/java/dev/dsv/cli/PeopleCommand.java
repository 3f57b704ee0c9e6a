package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.Times;
import dev.dsv.policy.Policy;
import dev.dsv.quality.PeopleRegistry;
import dev.dsv.quality.PeopleService;
import dev.dsv.quality.Person;
import dev.dsv.quality.Role;
import dev.dsv.quality.VerifierStanding;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Session;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv people add|set|list|show|pause|resume|rotate}: the team's roles and standing. */
@Command(name = "people", subcommands = {PeopleCommand.Add.class, PeopleCommand.SetPerson.class,
    PeopleCommand.ListPeople.class, PeopleCommand.Show.class, PeopleCommand.Pause.class,
    PeopleCommand.Resume.class, PeopleCommand.Rotate.class})
final class PeopleCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "people",
                        "add, set, list, show, pause, resume, rotate"));
    }

    /** Parses a day written YYYY-MM-DD, or throws a usage error naming the option. */
    static LocalDate day(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new DsvException(ExitCode.USAGE, e, "error.people.badDate", option, text);
        }
    }

    /** The JSON view of one state, with its standing at {@code now} under the policy. */
    static Map<String, Object> view(Person p, PeopleRegistry registry, OffsetDateTime now, Policy policy) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", p.id());
        v.put("name", p.name());
        v.put("roles", p.roleNames());
        v.put("status", p.status().jsonName());
        v.put("paused_until", p.pausedUntil() == null ? null : p.pausedUntil().toString());
        v.put("pause_reason", p.pauseReason());
        v.put("paused_now", registry.isPausedAt(p.id(), now));
        v.put("rotation_start", p.rotationStart() == null ? null : p.rotationStart().toString());
        if (p.hasRole(Role.VERIFIER)) {
            VerifierStanding s = registry.verifierStanding(p.id(), now, policy);
            Map<String, Object> verifier = new LinkedHashMap<>();
            verifier.put("state", s.state().jsonName());
            verifier.put("due_on", s.dueOn() == null ? null : s.dueOn().toString());
            verifier.put("expires_after", s.expiresAfter() == null ? null : s.expiresAfter().toString());
            verifier.put("rule", s.rule());
            v.put("verifier", verifier);
        }
        return v;
    }

    /** The JSON view of one history entry. */
    static Map<String, Object> historyView(Person p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("event", p.event());
        v.put("time", Times.format(p.recordedAt()));
        v.put("author", p.author());
        v.put("record", p.recordId() == null ? null : p.recordId().hex());
        v.put("name", p.name());
        v.put("roles", p.roleNames());
        v.put("status", p.status().jsonName());
        v.put("paused_until", p.pausedUntil() == null ? null : p.pausedUntil().toString());
        v.put("pause_reason", p.pauseReason());
        v.put("rotation_start", p.rotationStart() == null ? null : p.rotationStart().toString());
        return v;
    }

    /** One text line: id, roles, name and standing now. */
    static String line(Output out, Person p, PeopleRegistry registry, OffsetDateTime now, Policy policy) {
        List<String> notes = new ArrayList<>();
        registry.pauseAt(p.id(), now).ifPresent(x -> notes.add(out.text("people.pausedNote", x.pausedUntil(), x.pauseReason())));
        if (p.hasRole(Role.VERIFIER)) {
            VerifierStanding s = registry.verifierStanding(p.id(), now, policy);
            notes.add(out.text("people.verifierNote." + s.state().jsonName(), s.rotationStart(), s.dueOn(), s.expiresAfter()));
        }
        return (TextColumns.pad(p.id(), 20) + " " + TextColumns.pad(String.join(",", p.roleNames()), 24) + " "
                + TextColumns.pad(p.name() == null ? "-" : p.name(), 20) + " " + String.join("; ", notes)).stripTrailing();
    }

    /** Shared plumbing: the library's policy (main's) and the time of the command. */
    abstract static class PeopleBase extends BaseCommand {
        Policy policy(Session session) {
            return new PolicyService(session).library();
        }

        /** Prints one person's new state after a change. */
        void printChanged(Session session, Person p, String messageKey) {
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                PeopleRegistry registry = PeopleRegistry.load(session);
                doc.put("person", view(p, registry, Times.now(), policy(session)));
                doc.put("event", p.event());
                doc.put("record", p.recordId().hex());
                out().printJson(doc);
            } else {
                out().println(messageKey, p.id(), String.join(",", p.roleNames()), p.pausedUntil(), p.pauseReason(),
                        p.rotationStart());
            }
        }
    }

    @Command(name = "add")
    static final class Add extends PeopleBase {
        @Parameters(index = "0", paramLabel = "ID", descriptionKey = "people.id")
        String id;

        @Option(names = "--role", required = true, paramLabel = "ROLES", descriptionKey = "people.role")
        String roles;

        @Option(names = "--name", paramLabel = "NAME", descriptionKey = "people.name")
        String name;

        @Option(names = "--rotation-start", paramLabel = "DATE", descriptionKey = "people.rotationStart")
        String rotationStart;

        @Override
        int run() {
            Set<Role> parsed = Role.parseList(roles);
            LocalDate start = day("--rotation-start", rotationStart);
            try (Session session = openSession()) {
                Person p = new PeopleService(session).add(id, parsed, name, start);
                printChanged(session, p, p.rotationStart() == null ? "people.added" : "people.addedVerifier");
            }
            return 0;
        }
    }

    @Command(name = "set")
    static final class SetPerson extends PeopleBase {
        @Parameters(index = "0", paramLabel = "ID", descriptionKey = "people.id")
        String id;

        @Option(names = "--role", paramLabel = "ROLES", descriptionKey = "people.roleSet")
        String roles;

        @Option(names = "--name", paramLabel = "NAME", descriptionKey = "people.name")
        String name;

        @Override
        int run() {
            Set<Role> parsed = roles == null ? null : Role.parseList(roles);
            try (Session session = openSession()) {
                Person p = new PeopleService(session).change(id, parsed, name);
                printChanged(session, p, "people.changed");
            }
            return 0;
        }
    }

    @Command(name = "list")
    static final class ListPeople extends PeopleBase {
        @Option(names = "--role", paramLabel = "ROLE", descriptionKey = "people.roleFilter")
        String role;

        @Override
        int run() {
            Role filter = role == null ? null : Role.parse(role);
            try (Session session = openSession()) {
                PeopleRegistry registry = PeopleRegistry.load(session);
                Policy policy = policy(session);
                OffsetDateTime now = Times.now();
                List<Person> people = registry.all().stream().filter(p -> filter == null || p.hasRole(filter)).toList();
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("time_zone", registry.timeZone().getId());
                    doc.put("people", people.stream().map(p -> view(p, registry, now, policy)).toList());
                    out().printJson(doc);
                } else if (people.isEmpty()) {
                    out().println("people.none");
                } else {
                    people.forEach(p -> out().line(line(out(), p, registry, now, policy)));
                }
            }
            return 0;
        }
    }

    @Command(name = "show")
    static final class Show extends PeopleBase {
        @Parameters(index = "0", paramLabel = "ID", descriptionKey = "people.id")
        String id;

        @Override
        int run() {
            try (Session session = openSession()) {
                PeopleRegistry registry = PeopleRegistry.load(session);
                Person p = registry.require(id);
                Policy policy = policy(session);
                OffsetDateTime now = Times.now();
                List<Person> history = registry.history(id);
                List<Map<String, Object>> tests = GoldCommand.testViews(session, id);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("person", view(p, registry, now, policy));
                    doc.put("history", history.stream().map(PeopleCommand::historyView).toList());
                    doc.put("gold_tests", tests);
                    out().printJson(doc);
                    return 0;
                }
                out().line(line(out(), p, registry, now, policy));
                out().println("people.historyHeading");
                for (Person h : history) {
                    String status = h.isPaused() ? out().text("people.pausedNote", h.pausedUntil(), h.pauseReason())
                            : h.status().jsonName();
                    out().line(String.format("  %s  %-7s %-24s %s", Times.format(h.recordedAt()), h.event(),
                            String.join(",", h.roleNames()), status));
                }
                out().println("people.goldHeading");
                if (tests.isEmpty()) {
                    out().println("people.noGoldTests");
                }
                for (Map<String, Object> t : tests) {
                    out().line("  " + GoldCommand.testLine(out(), t));
                }
            }
            return 0;
        }
    }

    @Command(name = "pause")
    static final class Pause extends PeopleBase {
        @Parameters(index = "0", paramLabel = "ID", descriptionKey = "people.id")
        String id;

        @Option(names = "--until", required = true, paramLabel = "DATE", descriptionKey = "people.until")
        String until;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", descriptionKey = "people.reason")
        String reason;

        @Override
        int run() {
            LocalDate end = day("--until", until);
            try (Session session = openSession()) {
                Person p = new PeopleService(session).pause(id, end, reason);
                printChanged(session, p, "people.paused");
            }
            return 0;
        }
    }

    @Command(name = "resume")
    static final class Resume extends PeopleBase {
        @Parameters(index = "0", paramLabel = "ID", descriptionKey = "people.id")
        String id;

        @Override
        int run() {
            try (Session session = openSession()) {
                Person p = new PeopleService(session).resume(id);
                printChanged(session, p, "people.resumed");
            }
            return 0;
        }
    }

    @Command(name = "rotate")
    static final class Rotate extends PeopleBase {
        @Parameters(index = "0", paramLabel = "ID", descriptionKey = "people.id")
        String id;

        @Option(names = "--start", paramLabel = "DATE", descriptionKey = "people.rotateStart")
        String start;

        @Override
        int run() {
            LocalDate day = day("--start", start);
            try (Session session = openSession()) {
                Person p = new PeopleService(session).rotate(id, day);
                printChanged(session, p, "people.rotated");
            }
            return 0;
        }
    }
}
