package dev.dsv.quality;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.policy.Policy;
import dev.dsv.repo.MetadataLog;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Session;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The people of a repository, built from its {@code person} records. Each person's records are
 * ordered by their time, and append order breaks ties, so two logs merged by union give the same
 * history. The last record is the current state. The state in force at a time T is the last record
 * whose time is not after T. Days are counted in the library time zone.
 *
 * <p>The registry is optional: a labeler id that no record names is simply unknown, and callers
 * treat unknown labelers as in good standing.
 */
public final class PeopleRegistry {
    private final Map<String, List<Person>> histories;
    private final ZoneId zone;

    private PeopleRegistry(Map<String, List<Person>> histories, ZoneId zone) {
        this.histories = histories;
        this.zone = zone;
    }

    /** Builds the registry from the metadata log of an open repository. */
    public static PeopleRegistry load(Session session) {
        MetadataLog log = session.repository().metadataLog();
        List<Person> states = new ArrayList<>();
        for (ObjectId id : log.ids()) {
            MetaRecord r = log.read(id);
            if (MetaKinds.PERSON.equals(r.kind())) {
                states.add(Person.fromRecord(r, id));
            }
        }
        return build(states, session.repository().config().timeZone());
    }

    /**
     * Builds the registry from {@code person} records in append order, such as a gate receives
     * them; records of other kinds are ignored. The states carry no record id.
     */
    public static PeopleRegistry fromRecords(List<MetaRecord> records, ZoneId zone) {
        List<Person> states = new ArrayList<>();
        for (MetaRecord r : records) {
            if (MetaKinds.PERSON.equals(r.kind())) {
                states.add(Person.fromRecord(r, null));
            }
        }
        return build(states, zone);
    }

    private static PeopleRegistry build(List<Person> states, ZoneId zone) {
        Map<String, List<Person>> byId = new TreeMap<>();
        for (Person p : states) {
            byId.computeIfAbsent(p.id(), k -> new ArrayList<>()).add(p);
        }
        // List.sort is stable, so records with equal times keep their append order.
        byId.values().forEach(list -> list.sort(Comparator.comparing(p -> p.recordedAt().toInstant())));
        return new PeopleRegistry(byId, zone);
    }

    /** The time zone in which days (pauses, rotation starts) are counted. */
    public ZoneId timeZone() {
        return zone;
    }

    /** Returns the day of a time in the library time zone. */
    public LocalDate dayOf(OffsetDateTime time) {
        return time.atZoneSameInstant(zone).toLocalDate();
    }

    /** Returns the current state of a person, if registered. */
    public Optional<Person> find(String id) {
        List<Person> h = histories.get(id);
        return h == null ? Optional.empty() : Optional.of(h.get(h.size() - 1));
    }

    /** Returns the current state of a person, or throws invalid input naming the id. */
    public Person require(String id) {
        return find(id).orElseThrow(() -> new DsvException(ExitCode.INVALID_INPUT, "error.people.unknown", id));
    }

    /** Returns every state of a person, oldest first; empty for an unknown id. */
    public List<Person> history(String id) {
        return List.copyOf(histories.getOrDefault(id, List.of()));
    }

    /** Returns the current state of every registered person, ordered by id. */
    public List<Person> all() {
        List<Person> out = new ArrayList<>();
        for (List<Person> h : histories.values()) {
            out.add(h.get(h.size() - 1));
        }
        return out;
    }

    /** Returns the state of a person in force at a time: the last record not after it. */
    public Optional<Person> at(String id, OffsetDateTime time) {
        List<Person> h = histories.get(id);
        if (h == null) {
            return Optional.empty();
        }
        Person found = null;
        for (Person p : h) {
            if (p.recordedAt().toInstant().isAfter(time.toInstant())) {
                break;
            }
            found = p;
        }
        return Optional.ofNullable(found);
    }

    /**
     * Returns the pause in force for a labeler at a time: the state that paused the labeler, when
     * that state is in force at the time and the time is before the start of its
     * {@code paused_until} day. Empty for an unknown labeler or one in good standing.
     */
    public Optional<Person> pauseAt(String labelerId, OffsetDateTime time) {
        if (labelerId == null || time == null) {
            return Optional.empty();
        }
        return at(labelerId, time).filter(p -> p.isPaused()
                && time.toInstant().isBefore(p.pausedUntil().atStartOfDay(zone).toInstant()));
    }

    /** Returns true when the labeler was paused at that time (see {@link #pauseAt}). */
    public boolean isPausedAt(String labelerId, OffsetDateTime time) {
        return pauseAt(labelerId, time).isPresent();
    }

    /**
     * Returns a person's verifier standing at a time under the policy's rotation settings. A
     * rotation started on day S is due on S plus {@code verifier.rotation_months}; from that day
     * the standing is DUE, and after {@code verifier.grace_days} more days it is EXPIRED.
     */
    public VerifierStanding verifierStanding(String id, OffsetDateTime time, Policy policy) {
        LocalDate day = dayOf(time);
        long months = policy.integer("verifier.rotation_months");
        long graceDays = policy.integer("verifier.grace_days");
        Optional<Person> state = at(id, time);
        if (state.isEmpty() || !state.get().hasRole(Role.VERIFIER) || state.get().rotationStart() == null) {
            String why = state.isEmpty() ? "not registered on " + day : "not a verifier on " + day;
            return new VerifierStanding(id, VerifierStanding.State.NOT_VERIFIER, day, null, null, null,
                    id + " is " + why + " (dsv people add/set --role verifier)");
        }
        LocalDate start = state.get().rotationStart();
        LocalDate due = start.plusMonths(months);
        LocalDate lastGraceDay = due.plusDays(graceDays);
        VerifierStanding.State s;
        if (day.isBefore(due)) {
            s = VerifierStanding.State.OK;
        } else if (!day.isAfter(lastGraceDay)) {
            s = VerifierStanding.State.DUE;
        } else {
            s = VerifierStanding.State.EXPIRED;
        }
        String rule = "verifiers rotate " + months + " months after their rotation start (verifier.rotation_months)"
                + " with " + graceDays + " days of grace (verifier.grace_days): " + id + " started " + start
                + ", due " + due + ", expired after " + lastGraceDay;
        return new VerifierStanding(id, s, day, start, due, lastGraceDay, rule);
    }
}
