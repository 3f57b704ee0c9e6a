package dev.dsv.quality;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One state of a person, as one {@code person} record of the metadata log states it. The latest
 * record per id is the current state. {@code recordId}, {@code author} and {@code recordedAt} come
 * from the record itself; {@code recordId} is null for a state not yet written.
 *
 * @param pausedUntil the first day (library time zone) on which a paused person may label again
 * @param rotationStart the day a verifier's current rotation period began; null for others
 * @param event what the record changed: add, change, pause, resume, rotate
 */
public record Person(
        String id,
        String name,
        Set<Role> roles,
        Status status,
        LocalDate pausedUntil,
        String pauseReason,
        LocalDate rotationStart,
        String event,
        String author,
        OffsetDateTime recordedAt,
        ObjectId recordId) {

    /** Whether a person may label. */
    public enum Status {
        ACTIVE, PAUSED;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Person {
        roles = roles.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(roles));
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    public boolean isPaused() {
        return status == Status.PAUSED;
    }

    /** Returns the roles as their lowercase names, in declaration order. */
    public List<String> roleNames() {
        List<String> out = new ArrayList<>();
        for (Role r : roles) {
            out.add(r.jsonName());
        }
        return out;
    }

    /** Returns the body of the {@code person} record for this state. */
    public Map<String, Object> toBody() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("id", id);
        if (name != null) {
            m.put("name", name);
        }
        m.put("roles", roleNames());
        m.put("status", status.jsonName());
        if (status == Status.PAUSED) {
            m.put("paused_until", pausedUntil.toString());
            m.put("pause_reason", pauseReason);
        }
        if (rotationStart != null) {
            m.put("rotation_start", rotationStart.toString());
        }
        m.put("event", event);
        return m;
    }

    /** Reads a state from a {@code person} record; {@code recordId} may be null. */
    public static Person fromRecord(MetaRecord record, ObjectId recordId) {
        Map<String, Object> b = record.body();
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (b.get("roles") instanceof List<?> list) {
            for (Object o : list) {
                roles.add(Role.parse(String.valueOf(o)));
            }
        }
        Status status = "paused".equals(b.get("status")) ? Status.PAUSED : Status.ACTIVE;
        return new Person(
                String.valueOf(b.get("id")),
                text(b, "name"),
                roles,
                status,
                date(b, "paused_until"),
                text(b, "pause_reason"),
                date(b, "rotation_start"),
                text(b, "event"),
                record.author(),
                record.time(),
                recordId);
    }

    /** Returns a copy that is the next state: other fields, no author, time or id yet. */
    Person next(String newName, Set<Role> newRoles, Status newStatus, LocalDate newPausedUntil, String newReason,
                LocalDate newRotationStart, String newEvent) {
        return new Person(id, newName, newRoles, newStatus, newPausedUntil, newReason, newRotationStart, newEvent,
                null, null, null);
    }

    private static String text(Map<String, Object> body, String key) {
        Object v = body.get(key);
        return v == null ? null : String.valueOf(v);
    }

    private static LocalDate date(Map<String, Object> body, String key) {
        Object v = body.get(key);
        return v == null ? null : LocalDate.parse(String.valueOf(v));
    }
}
