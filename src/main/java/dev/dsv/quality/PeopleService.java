package dev.dsv.quality;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.Identity;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Session;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Set;

/**
 * Changes to the people registry: each change appends one {@code person} record with the whole new
 * state, under the repository lock. Nothing is ever removed; earlier records are the history.
 */
public final class PeopleService {
    /** The labeler id of gold set consensus labels, which no person may take. */
    public static final String GOLD_LABELER = "gold";

    private final Session session;

    public PeopleService(Session session) {
        this.session = session;
    }

    /** Returns the registry as the metadata log states it now. */
    public PeopleRegistry registry() {
        return PeopleRegistry.load(session);
    }

    /**
     * Registers a new person. A verifier's rotation starts on {@code rotationStart}, or today (library
     * time zone) when it is null; a rotation start for a person without the verifier role is invalid.
     */
    public Person add(String rawId, Set<Role> roles, String name, LocalDate rotationStart) {
        // Label records carry the labeler in NFC, so the registered id must be NFC to match them.
        String id = rawId == null ? null : dev.dsv.model.CanonicalJson.nfc(rawId);
        checkId(id);
        checkRoles(roles);
        if (rotationStart != null && !roles.contains(Role.VERIFIER)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.people.rotationNotVerifier", id);
        }
        try (RepositoryLock lock = session.lock("people add")) {
            PeopleRegistry registry = registry();
            if (registry.find(id).isPresent()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.people.exists", id);
            }
            LocalDate start = null;
            if (roles.contains(Role.VERIFIER)) {
                start = rotationStart != null ? rotationStart : today(registry);
            }
            Person p = new Person(id, blankToNull(name), roles, Person.Status.ACTIVE, null, null, start, "add",
                    null, null, null);
            return append(p);
        }
    }

    /**
     * Changes a person's roles and/or name; a null argument keeps the current value. A person who
     * gains the verifier role starts a rotation today; one who loses it drops the rotation start.
     */
    public Person change(String id, Set<Role> roles, String name) {
        if (roles == null && name == null) {
            throw new DsvException(ExitCode.USAGE, "error.people.nothingToChange", id);
        }
        if (roles != null) {
            checkRoles(roles);
        }
        try (RepositoryLock lock = session.lock("people set")) {
            PeopleRegistry registry = registry();
            Person now = registry.require(id);
            Set<Role> newRoles = roles != null ? roles : now.roles();
            LocalDate start = now.rotationStart();
            if (!newRoles.contains(Role.VERIFIER)) {
                start = null;
            } else if (start == null) {
                start = today(registry);
            }
            String newName = name != null ? blankToNull(name) : now.name();
            return append(now.next(newName, newRoles, now.status(), now.pausedUntil(), now.pauseReason(), start, "change"));
        }
    }

    /**
     * Pauses a person until a day (library time zone): labels made before the start of that day
     * count as made while paused. The day must be after today.
     */
    public Person pause(String id, LocalDate until, String reason) {
        try (RepositoryLock lock = session.lock("people pause")) {
            return recordPause(registry(), id, until, reason);
        }
    }

    /** Appends a pause record; the caller holds the writer lock. */
    Person recordPause(PeopleRegistry registry, String id, LocalDate until, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.people.pauseReason", id);
        }
        Person now = registry.require(id);
        LocalDate today = today(registry);
        if (!until.isAfter(today)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.people.pauseUntilPast", id, until, today);
        }
        return append(now.next(now.name(), now.roles(), Person.Status.PAUSED, until, reason.strip(),
                now.rotationStart(), "pause"));
    }

    /** Ends a pause now. */
    public Person resume(String id) {
        try (RepositoryLock lock = session.lock("people resume")) {
            PeopleRegistry registry = registry();
            Person now = registry.require(id);
            if (!registry.isPausedAt(id, Times.now())) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.people.notPaused", id);
            }
            return append(now.next(now.name(), now.roles(), Person.Status.ACTIVE, null, null, now.rotationStart(), "resume"));
        }
    }

    /** Starts a new rotation period for a verifier on {@code start}, or today when it is null. */
    public Person rotate(String id, LocalDate start) {
        try (RepositoryLock lock = session.lock("people rotate")) {
            PeopleRegistry registry = registry();
            Person now = registry.require(id);
            if (!now.hasRole(Role.VERIFIER)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.people.notVerifier", id, String.join(",", now.roleNames()));
            }
            LocalDate day = start != null ? start : today(registry);
            return append(now.next(now.name(), now.roles(), now.status(), now.pausedUntil(), now.pauseReason(), day, "rotate"));
        }
    }

    private Person append(Person state) {
        OffsetDateTime time = Times.now();
        MetaRecord record = new MetaRecord(MetaKinds.PERSON, null, Identity.committer(session.repository().config()), time, state.toBody());
        ObjectId id = session.repository().metadataLog().append(record);
        return Person.fromRecord(record, id);
    }

    private static LocalDate today(PeopleRegistry registry) {
        return registry.dayOf(Times.now());
    }

    private static void checkId(String id) {
        if (!dev.dsv.model.PersonId.isValid(id)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.people.badId", id);
        }
        if (GOLD_LABELER.equals(id)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.people.reservedId", id);
        }
    }

    private static void checkRoles(Set<Role> roles) {
        if (roles.isEmpty()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.people.badRole", "", "labeler, verifier, expert");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
