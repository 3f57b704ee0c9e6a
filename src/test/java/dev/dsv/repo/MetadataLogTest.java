package dev.dsv.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
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
}
