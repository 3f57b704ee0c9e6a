package dev.dsv.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataLogTest {
    @TempDir
    Path tmp;

    private static MetaRecord record(String note) {
        return new MetaRecord("note", null, "tester", OffsetDateTime.of(2026, 12, 5, 6, 0, 0, 0, ZoneOffset.UTC),
                java.util.Map.of("note", note));
    }

    @Test
    void appendAfterCutWriteKeepsNewId() throws Exception {
        try (Repository repo = Repository.init(tmp.resolve("lib"))) {
            MetadataLog log = repo.metadataLog();
            ObjectId first = log.append(record("first"));
            // A write cut short by a full disk leaves half an id and no newline.
            Files.writeString(repo.dsvDir().resolve("meta").resolve("log"), "0123456789abcdef0123456789abcdef",
                    StandardCharsets.US_ASCII, StandardOpenOption.APPEND);

            ObjectId second = log.append(record("second"));

            assertEquals(List.of(first, second), log.ids());
        }
    }

    @Test
    void adoptAfterCutWriteKeepsIds() throws Exception {
        try (Repository repo = Repository.init(tmp.resolve("lib"))) {
            MetadataLog log = repo.metadataLog();
            ObjectId first = log.append(record("first"));
            ObjectId fetched = log.append(record("fetched"));
            Files.writeString(repo.dsvDir().resolve("meta").resolve("log"), first.hex() + "\n" + fetched.hex().substring(0, 20),
                    StandardCharsets.US_ASCII);

            log.adopt(List.of(fetched));

            assertEquals(List.of(first, fetched), log.ids());
        }
    }

    @Test
    void readOfKindSkipsOtherKinds() {
        try (Repository repo = Repository.init(tmp.resolve("lib"))) {
            MetadataLog log = repo.metadataLog();
            MetaRecord other = new MetaRecord("other", null, "tester",
                    OffsetDateTime.of(2026, 12, 5, 7, 0, 0, 0, ZoneOffset.UTC), java.util.Map.of("n", 1));
            ObjectId noteId = log.append(record("first"));
            ObjectId otherId = log.append(other);

            assertNull(log.readOfKind(noteId, Set.of("other")));
            assertEquals(other, log.readOfKind(otherId, Set.of("other")));
            assertEquals(record("first"), log.readOfKind(noteId, Set.of("note", "other")));
        }
    }

    @Test
    void readOfKindRejectsNonCanonicalRecord() {
        try (Repository repo = Repository.init(tmp.resolve("lib"))) {
            // Valid JSON with a space after the colon: readable, but not in canonical form.
            byte[] bytes = ("{\"author\": \"tester\",\"kind\":\"note\",\"time\":\"2026-12-05T06:00:00Z\","
                    + "\"type\":\"meta\",\"v\":1}").getBytes(StandardCharsets.UTF_8);
            ObjectId id;
            try (ObjectStore.Inserter inserter = repo.store().newInserter()) {
                id = inserter.insert(ObjectType.META, bytes);
                inserter.flush();
            }
            MetadataLog log = repo.metadataLog();

            DsvException e = assertThrows(DsvException.class, () -> log.readOfKind(id, Set.of("note")));
            assertEquals(ExitCode.INTEGRITY, e.exitCode());
            assertNull(log.readOfKind(id, Set.of("other")));
        }
    }
}
