package dev.dsv.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.store.ObjectStore;
import dev.dsv.store.PackStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that opened the repository before a gc in another process rewrote the packs must not
 * trust its old mapping once it holds the lock: it would skip writing an object that gc dropped.
 */
class WriterAfterGcTest {
    @TempDir
    Path tmp;

    @Test
    void objectDroppedByGcIsWrittenAgain() {
        Path lib = tmp.resolve("lib");
        Repository.init(lib).close();
        byte[] dropped = "{\"dropped\":true}".getBytes(StandardCharsets.UTF_8);
        byte[] kept = "{\"kept\":true}".getBytes(StandardCharsets.UTF_8);
        ObjectId droppedId;
        try (Repository gc = Repository.open(lib)) {
            try (ObjectStore.Inserter inserter = gc.store().newInserter()) {
                droppedId = inserter.insert(ObjectType.META, dropped);
                inserter.insert(ObjectType.META, kept);
                inserter.flush();
            }
            try (Repository writer = Repository.open(lib)) {
                assertTrue(writer.store().contains(droppedId), "the writer has mapped the first pack");
                try (var lock = gc.lockForWrite("gc", Duration.ofSeconds(5))) {
                    List<Path> packs = gc.store().packFiles();
                    gc.store().repack(packs, id -> !id.equals(droppedId));
                }
                try (var lock = writer.lockForWrite("add", Duration.ofSeconds(5));
                     ObjectStore.Inserter inserter = writer.store().newInserter()) {
                    assertEquals(droppedId, inserter.insert(ObjectType.META, dropped));
                    inserter.flush();
                }
            }
        }
        try (Repository reader = Repository.open(lib)) {
            PackStore store = reader.store();
            assertTrue(store.contains(droppedId), "the object written after gc is in a pack");
            assertEquals(new String(dropped, StandardCharsets.UTF_8),
                    new String(store.read(droppedId, ObjectType.META), StandardCharsets.UTF_8));
        }
    }
}
