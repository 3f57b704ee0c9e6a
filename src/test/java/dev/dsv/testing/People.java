package dev.dsv.testing;

import dev.dsv.quality.PeopleService;
import dev.dsv.quality.Role;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Set;

/** Registers people in a test repository through the people registry's service. */
public final class People {
    private People() {
    }

    /** Registers a verifier whose rotation started on {@code rotationStart} (today when null). */
    public static void addVerifier(Path library, String id, LocalDate rotationStart) {
        try (Session session = Session.open(library)) {
            new PeopleService(session).add(id, Set.of(Role.VERIFIER), null, rotationStart);
        }
    }

    /** Registers a person with the given roles. */
    public static void add(Path library, String id, Set<Role> roles) {
        try (Session session = Session.open(library)) {
            new PeopleService(session).add(id, roles, null, null);
        }
    }
}
