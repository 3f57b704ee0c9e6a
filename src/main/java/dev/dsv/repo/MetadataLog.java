package dev.dsv.repo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.FileIo;
import dev.dsv.store.ObjectStore;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The metadata log: an append-only set of {@code meta} objects for facts that change after a
 * commit. Records are stored as objects; {@code .dsv/meta/log} lists their ids, one per line, in
 * the order they were appended. A line cut short by a crash is not a valid id and is skipped.
 * Two logs merge by union, since each record is identified by its content.
 */
public final class MetadataLog {
    private final Path logFile;
    private final ObjectStore store;

    MetadataLog(Path logFile, ObjectStore store) {
        this.logFile = logFile;
        this.store = store;
    }

    /** Stores a record and appends its id to the log; the caller holds the writer lock. */
    public ObjectId append(MetaRecord record) {
        byte[] bytes = record.encode();
        ObjectId id;
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            id = inserter.insert(ObjectType.META, bytes);
            inserter.flush();
        }
        if (ids().contains(id)) {
            return id;
        }
        try {
            Files.createDirectories(logFile.getParent());
            FileIo io = FileIo.current();
            try (FileChannel ch = io.open(logFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                String line = startsLine() + id.hex() + "\n";
                FileIo.writeFully(ch, ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
                io.force(ch);
            }
            AtomicFiles.syncDirectory(logFile.getParent());
        } catch (IOException e) {
            throw StoreIOException.of(logFile, e);
        }
        return id;
    }

    /**
     * Appends the ids of records that are already in the object store (fetched from a remote),
     * skipping ids the log has, with one write. The caller holds the writer lock.
     */
    public void adopt(List<ObjectId> fetched) {
        Set<ObjectId> known = new java.util.HashSet<>(ids());
        StringBuilder lines = new StringBuilder();
        for (ObjectId id : fetched) {
            if (known.add(id)) {
                lines.append(id.hex()).append('\n');
            }
        }
        if (lines.length() == 0) {
            return;
        }
        try {
            Files.createDirectories(logFile.getParent());
            FileIo io = FileIo.current();
            try (FileChannel ch = io.open(logFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                String text = startsLine() + lines;
                FileIo.writeFully(ch, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
                io.force(ch);
            }
            AtomicFiles.syncDirectory(logFile.getParent());
        } catch (IOException e) {
            throw StoreIOException.of(logFile, e);
        }
    }

    /**
     * Returns a newline when the log ends inside a line, else nothing. A write cut short by a full
     * disk or a crash leaves a partial id. Without the newline the next id would be glued to it,
     * and that record would drop out of the log.
     */
    private String startsLine() throws IOException {
        if (!Files.exists(logFile)) {
            return "";
        }
        try (FileChannel ch = FileChannel.open(logFile, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return "";
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, size - 1);
            return last.get(0) == '\n' ? "" : "\n";
        }
    }

    /** Returns the ids in the log, in append order, without duplicates. */
    public List<ObjectId> ids() {
        Set<ObjectId> ids = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(logFile, StandardCharsets.US_ASCII)) {
                String text = line.trim();
                if (ObjectId.isValidHex(text)) {
                    ids.add(ObjectId.parse(text));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw StoreIOException.of(logFile, e);
        }
        return new ArrayList<>(ids);
    }

    /** Reads one record, checking its hash and canonical form. */
    public MetaRecord read(ObjectId id) {
        return read(id, null);
    }

    /**
     * Reads one record if its kind is in {@code kinds}, else returns null. The hash is checked for
     * every record, the body and the canonical form only for a record of a requested kind: decoding
     * the body and re-encoding the record were more than half of the time of a read in a profile of
     * {@code dsv log}. fsck reads every record in full.
     */
    public MetaRecord readOfKind(ObjectId id, Set<String> kinds) {
        return read(id, kinds);
    }

    private MetaRecord read(ObjectId id, Set<String> kinds) {
        byte[] bytes = store.read(id, ObjectType.META);
        try {
            JsonNode json = CanonicalJson.parse(bytes);
            if (kinds != null && !kinds.contains(json.path("kind").asText())) {
                return null;
            }
            MetaRecord record = MetaRecord.fromJson(json);
            if (!java.util.Arrays.equals(record.encode(), bytes)) {
                throw new DsvException(ExitCode.INTEGRITY, "error.object.notCanonical", id.hex());
            }
            return record;
        } catch (IOException | RuntimeException e) {
            if (e instanceof DsvException d) {
                throw d;
            }
            throw new DsvException(ExitCode.INTEGRITY, e, "error.object.undecodable", id.hex(), e.getMessage());
        }
    }
}
