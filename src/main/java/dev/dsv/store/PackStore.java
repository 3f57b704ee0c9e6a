package dev.dsv.store;

import dev.dsv.error.IntegrityException;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The local object store: pack files with sorted, memory-mapped indexes under
 * {@code .dsv/objects/pack}, and the list of objects absent by design in {@code .dsv/objects/absent}.
 */
public final class PackStore implements ObjectStore {
    private final Path objectsDir;
    private final Path packDir;
    private final Path absentFile;
    private final List<Pack> packs = new CopyOnWriteArrayList<>();
    private final Set<String> loadedPackNames = new HashSet<>();
    private final Map<Path, String> damagedPacks = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Map<ObjectId, String> absent;
    private volatile String absentStamp = "";

    private PackStore(Path objectsDir) {
        this.objectsDir = objectsDir;
        this.packDir = objectsDir.resolve("pack");
        this.absentFile = objectsDir.resolve("absent");
    }

    /** Opens the store in {@code objectsDir}, creating its folders when needed. */
    public static PackStore open(Path objectsDir) {
        PackStore store = new PackStore(objectsDir);
        try {
            Files.createDirectories(store.packDir);
        } catch (IOException e) {
            throw StoreIOException.of(store.packDir, e);
        }
        store.rescan();
        return store;
    }

    Path packDir() {
        return packDir;
    }

    /** Maps every published pack not mapped yet; returns true when any was added. */
    synchronized boolean rescan() {
        boolean added = false;
        try (Stream<Path> files = Files.list(packDir)) {
            for (Path idx : files.filter(p -> p.getFileName().toString().endsWith(".idx")).sorted().toList()) {
                String name = idx.getFileName().toString();
                if (!name.startsWith("pack-") || loadedPackNames.contains(name)) {
                    continue;
                }
                Path pack = packDir.resolve(name.substring(0, name.length() - 4) + ".pack");
                try {
                    packs.add(Pack.open(pack, idx));
                    loadedPackNames.add(name);
                    added = true;
                } catch (NoSuchFileException e) {
                    // gc deletes the index before its pack. So when the index is gone too, gc in
                    // another process removed the pack after the listing: not damage.
                    if (Files.exists(idx)) {
                        loadedPackNames.add(name);
                        damagedPacks.put(idx, "pack file missing");
                    }
                } catch (IOException e) {
                    // A damaged index is never searched: its objects read as missing, and fsck
                    // names the file.
                    loadedPackNames.add(name);
                    damagedPacks.put(idx, String.valueOf(e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw StoreIOException.of(packDir, e);
        }
        return added;
    }

    /** Publishes a pack that an inserter has just renamed into place. */
    synchronized void addPack(Path pack, Path idx) throws IOException {
        String name = idx.getFileName().toString();
        if (loadedPackNames.add(name)) {
            packs.add(Pack.open(pack, idx));
        }
    }

    private record Located(Pack pack, Pack.Entry entry) {
    }

    /**
     * Finds an object in the packs mapped so far, without looking for new pack files. A pack whose
     * lookup finds the object has its index checksum checked first (once per pack), and a damaged
     * one is set aside as the opening checks would. A miss needs no checksum, because a damaged index
     * that misses returns what a pack set aside returns.
     */
    private Located locateMapped(ObjectId id) {
        for (Pack p : packs) {
            Pack.Entry e = p.find(id);
            if (e != null && intact(p)) {
                return new Located(p, e);
            }
        }
        return null;
    }

    /** Returns true when the pack's index checksum matches; otherwise sets the pack aside as damaged. */
    private boolean intact(Pack p) {
        String damage = p.indexDamage();
        if (damage == null) {
            return true;
        }
        setAside(p, damage);
        return false;
    }

    private synchronized void setAside(Pack p, String damage) {
        if (packs.remove(p)) {
            damagedPacks.put(p.indexFile(), damage);
        }
    }

    /**
     * Maps new packs, checks the index checksum of every mapped pack, and returns the intact ones.
     * Callers that visit every pack (fsck, gc, push) use this: their work reads each index anyway.
     */
    private List<Pack> intactPacks() {
        rescan();
        List<Pack> out = new ArrayList<>();
        for (Pack p : packs) {
            if (intact(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Finds an object, listing the pack folder again on a miss: another process may have published it. */
    private Located locate(ObjectId id) {
        Located at = locateMapped(id);
        if (at == null && rescan()) {
            at = locateMapped(id);
        }
        return at;
    }

    /**
     * Returns true when a mapped pack contains the object. Inserters use this for deduplication: they
     * run under the writer lock, so no other process publishes packs meanwhile, and a miss needs
     * no listing of the pack folder.
     */
    public boolean containsMapped(ObjectId id) {
        return locateMapped(id) != null;
    }

    @Override
    public ObjectState state(ObjectId id) {
        if (locate(id) != null) {
            return ObjectState.PRESENT;
        }
        return absentObjects().containsKey(id) ? ObjectState.ABSENT_BY_DESIGN : ObjectState.MISSING;
    }

    private Located require(ObjectId id) {
        Located at = locate(id);
        if (at == null) {
            String reason = absentObjects().get(id);
            if (reason != null) {
                throw new IntegrityException("error.object.absent", id.hex(), reason);
            }
            throw new IntegrityException("error.object.missing", id.hex());
        }
        return at;
    }

    @Override
    public byte[] read(ObjectId id, ObjectType expected) {
        Located at = require(id);
        if (expected != null && at.entry().type() != expected.code()) {
            throw new IntegrityException("error.object.wrongType", id.hex(), expected.jsonName());
        }
        ByteBuffer stored = at.pack().slice(id, at.entry());
        if (stored == null) {
            throw new IntegrityException("error.object.corrupt", id.hex(), at.pack().file());
        }
        byte[] bytes = decode(id, at.entry(), stored, at.pack().file());
        MessageDigest md = DigestUtils.getSha256Digest();
        if (!ObjectId.fromBytes(md.digest(bytes)).equals(id)) {
            throw new IntegrityException("error.object.corrupt", id.hex(), at.pack().file());
        }
        return bytes;
    }

    private static byte[] decode(ObjectId id, Pack.Entry e, ByteBuffer stored, Path file) {
        if (e.rawLength() > Integer.MAX_VALUE - 16) {
            throw new IntegrityException("error.object.corrupt", id.hex(), file);
        }
        if (e.encoding() == PackFormat.ENCODING_RAW) {
            byte[] out = new byte[stored.remaining()];
            stored.get(out);
            return out;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stored);
            byte[] out = new byte[(int) e.rawLength()];
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != out.length || !inflater.finished()) {
                throw new IntegrityException("error.object.corrupt", id.hex(), file);
            }
            return out;
        } catch (DataFormatException ex) {
            throw new IntegrityException("error.object.corrupt", id.hex(), file);
        } finally {
            inflater.end();
        }
    }

    @Override
    public InputStream openBlob(ObjectId id) {
        Located at = require(id);
        if (at.entry().encoding() != PackFormat.ENCODING_RAW) {
            return new java.io.ByteArrayInputStream(read(id, null));
        }
        ByteBuffer stored = at.pack().slice(id, at.entry());
        if (stored == null) {
            throw new IntegrityException("error.object.corrupt", id.hex(), at.pack().file());
        }
        return new ByteBufferInputStream(stored);
    }

    @Override
    public long size(ObjectId id) {
        return require(id).entry().rawLength();
    }

    @Override
    public ObjectType type(ObjectId id) {
        return ObjectType.fromCode(require(id).entry().type());
    }

    @Override
    public Inserter newInserter() {
        return new PackInserter(this);
    }

    @Override
    public void forEachObject(Consumer<ObjectId> action) {
        Set<ObjectId> seen = new HashSet<>();
        for (Pack p : intactPacks()) {
            p.forEachId(id -> {
                if (seen.add(id)) {
                    action.accept(id);
                }
            });
        }
    }

    @Override
    public synchronized void markAbsent(ObjectId id, String reason) {
        absent = null;
        Map<ObjectId, String> updated = new LinkedHashMap<>(absentObjects());
        updated.put(id, reason.replaceAll("\\s+", "-"));
        StringBuilder text = new StringBuilder();
        updated.forEach((k, v) -> text.append(k.hex()).append(' ').append(v).append('\n'));
        try {
            AtomicFiles.write(absentFile, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw StoreIOException.of(absentFile, e);
        }
        absent = null;
    }

    /**
     * One object's record as the pack stores it: type code, encoding, uncompressed length and the
     * stored (possibly deflated) bytes. The bytes are a read-only view of the mapped pack.
     */
    public record StoredRecord(ObjectId id, int typeCode, int encoding, long rawLength, ByteBuffer stored) {
    }

    /** Returns an object's stored record, for copying it unchanged into another pack. */
    public StoredRecord storedRecord(ObjectId id) {
        Located at = require(id);
        ByteBuffer stored = at.pack().slice(id, at.entry());
        if (stored == null) {
            throw new IntegrityException("error.object.corrupt", id.hex(), at.pack().file());
        }
        Pack.Entry e = at.entry();
        return new StoredRecord(id, e.type(), e.encoding(), e.rawLength(), stored);
    }

    /** Records many objects as absent by design in one write of the absent list. */
    public synchronized void markAbsent(Map<ObjectId, String> reasons) {
        if (reasons.isEmpty()) {
            return;
        }
        Map<ObjectId, String> updated = new LinkedHashMap<>(absentObjects());
        reasons.forEach((id, reason) -> updated.put(id, reason.replaceAll("\\s+", "-")));
        writeAbsent(updated);
    }

    /** Removes objects from the absent list, once their bytes have been fetched. */
    public synchronized void clearAbsent(java.util.Collection<ObjectId> ids) {
        Map<ObjectId, String> updated = new LinkedHashMap<>(absentObjects());
        if (!updated.keySet().removeAll(ids)) {
            return;
        }
        writeAbsent(updated);
    }

    private void writeAbsent(Map<ObjectId, String> entries) {
        absent = null;
        StringBuilder text = new StringBuilder();
        entries.forEach((k, v) -> text.append(k.hex()).append(' ').append(v).append('\n'));
        try {
            AtomicFiles.write(absentFile, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw StoreIOException.of(absentFile, e);
        }
        absent = null;
    }

    @Override
    public Map<ObjectId, String> absentObjects() {
        String stamp = fileStamp(absentFile);
        Map<ObjectId, String> current = absent;
        if (current != null && stamp.equals(absentStamp)) {
            return current;
        }
        Map<ObjectId, String> loaded = new LinkedHashMap<>();
        try {
            if (Files.exists(absentFile)) {
                for (String line : Files.readAllLines(absentFile, StandardCharsets.UTF_8)) {
                    String[] parts = line.trim().split(" ", 2);
                    if (parts.length == 2 && ObjectId.isValidHex(parts[0])) {
                        loaded.put(ObjectId.parse(parts[0]), parts[1]);
                    }
                }
            }
        } catch (IOException e) {
            throw StoreIOException.of(absentFile, e);
        }
        absent = loaded;
        absentStamp = stamp;
        return loaded;
    }

    /** Returns size, modification time and file key, so that a rewritten file is noticed. */
    private static String fileStamp(Path file) {
        try {
            var attrs = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return attrs.size() + "/" + attrs.lastModifiedTime().toMillis() + "/" + attrs.fileKey();
        } catch (IOException e) {
            return "none";
        }
    }

    /** A published pack file with its modification time in milliseconds. */
    public record PackFile(Path file, long modifiedMillis) {
    }

    /** Returns the published packs that are mapped, with their modification times. */
    public List<PackFile> publishedPacks() {
        List<PackFile> out = new ArrayList<>();
        for (Pack p : intactPacks()) {
            try {
                out.add(new PackFile(p.file(), Files.getLastModifiedTime(p.file()).toMillis()));
            } catch (IOException e) {
                throw StoreIOException.of(p.file(), e);
            }
        }
        return out;
    }

    /**
     * Returns the file names of the published pack indexes in the pack folder, sorted, from a
     * listing of the folder: no index is opened or checked.
     */
    public List<String> publishedIndexNames() {
        try (Stream<Path> files = Files.list(packDir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("pack-") && n.endsWith(".idx"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw StoreIOException.of(packDir, e);
        }
    }

    /** Returns the published pack files that hold the object (one object can be in several packs). */
    public List<Path> packsHolding(ObjectId id) {
        List<Path> out = new ArrayList<>();
        for (Pack p : intactPacks()) {
            if (p.find(id) != null) {
                out.add(p.file());
            }
        }
        return out;
    }

    /** Calls {@code action} with the id, type code and uncompressed size of every object of one pack. */
    public void forEachInPack(Path packFile, PackEntryVisitor action) {
        for (Pack p : intactPacks()) {
            if (p.file().equals(packFile)) {
                p.forEachId(id -> {
                    Pack.Entry e = p.find(id);
                    action.visit(id, e.type(), e.rawLength());
                });
            }
        }
    }

    /** Receives one object of a pack. */
    @FunctionalInterface
    public interface PackEntryVisitor {
        void visit(ObjectId id, int typeCode, long size);
    }

    /**
     * Rewrites the given packs into one new pack holding only the objects {@code keep} accepts,
     * then deletes the old packs. The new pack is published before any old one is deleted, so
     * every kept object stays readable throughout. Call only under the writer lock. Returns the
     * number of objects dropped.
     */
    public synchronized int repack(List<Path> packFiles, java.util.function.Predicate<ObjectId> keep) {
        List<Pack> old = new ArrayList<>();
        for (Pack p : intactPacks()) {
            if (packFiles.contains(p.file())) {
                old.add(p);
            }
        }
        int[] dropped = {0};
        List<Path> created;
        try (PackInserter inserter = new PackInserter(this)) {
            for (Pack p : old) {
                p.forEachId(id -> {
                    if (!keep.test(id)) {
                        dropped[0]++;
                        return;
                    }
                    Pack.Entry e = p.find(id);
                    ByteBuffer stored = p.slice(id, e);
                    if (stored == null) {
                        throw new IntegrityException("error.object.corrupt", id.hex(), p.file());
                    }
                    inserter.copyRecord(id, e.type(), e.encoding(), e.rawLength(), stored);
                });
            }
            inserter.flush();
            created = inserter.published();
        }
        for (Pack p : old) {
            if (created.contains(p.file())) {
                // The new pack has exactly this pack's content and name: it is the result.
                continue;
            }
            packs.remove(p);
            Path idx = packDir.resolve(p.file().getFileName().toString().replace(".pack", ".idx"));
            try {
                // The index goes first: a pack without an index is invisible, never damaged.
                FileIo.current().delete(idx);
                FileIo.current().delete(p.file());
            } catch (IOException e) {
                throw StoreIOException.of(p.file(), e);
            }
            loadedPackNames.remove(idx.getFileName().toString());
        }
        try {
            AtomicFiles.syncDirectory(packDir);
        } catch (IOException e) {
            throw StoreIOException.of(packDir, e);
        }
        return dropped[0];
    }

    /**
     * Rewrites the packs that hold any of {@code ids} without those objects and without any record
     * that can no longer be read (a truncated pack), so that intact copies can be inserted again.
     * Call only under the writer lock. Returns the ids that were dropped.
     */
    public synchronized Set<ObjectId> dropObjects(Set<ObjectId> ids) {
        List<Path> holding = new ArrayList<>();
        Set<ObjectId> dropped = new HashSet<>();
        for (Pack p : intactPacks()) {
            boolean holds = false;
            for (ObjectId id : ids) {
                if (p.find(id) != null) {
                    holds = true;
                    dropped.add(id);
                }
            }
            if (holds) {
                holding.add(p.file());
                p.forEachId(id -> {
                    if (p.slice(id, p.find(id)) == null) {
                        dropped.add(id);
                    }
                });
            }
        }
        if (!holding.isEmpty()) {
            repack(holding, id -> !dropped.contains(id));
        }
        return dropped;
    }

    /**
     * Rebuilds a pack whose index is damaged from the record headers in the pack itself: every
     * record whose bytes hash to the id in its header is copied into a new pack, and the damaged
     * index and pack are deleted. Reading stops at the first record that does not fit in the file.
     * Call only under the writer lock. Returns the number of objects recovered.
     */
    public synchronized int recoverPack(Path damagedIdx) {
        String name = damagedIdx.getFileName().toString();
        Path packFile = packDir.resolve(name.substring(0, name.length() - 4) + ".pack");
        int recovered = 0;
        if (Files.exists(packFile)) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(packFile, java.nio.file.StandardOpenOption.READ);
                 PackInserter inserter = new PackInserter(this)) {
                ByteBuffer data = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size());
                long at = PackFormat.PACK_MAGIC.length;
                while (at + PackFormat.RECORD_HEADER <= data.capacity()) {
                    byte[] idBytes = new byte[ObjectId.LENGTH];
                    data.get((int) at, idBytes);
                    int type = data.get((int) at + 32) & 0xff;
                    int encoding = data.get((int) at + 33) & 0xff;
                    long rawLength = data.getLong((int) at + 34);
                    long storedLength = data.getLong((int) at + 42);
                    long end = at + PackFormat.RECORD_HEADER + storedLength;
                    if (storedLength < 0 || end > data.capacity() || end < at) {
                        break;
                    }
                    ByteBuffer stored = data.slice((int) at + PackFormat.RECORD_HEADER, (int) storedLength);
                    ObjectId id = ObjectId.fromBytes(idBytes);
                    if (recordIntact(id, type, encoding, rawLength, stored.duplicate())) {
                        inserter.copyRecord(id, type, encoding, rawLength, stored);
                        recovered++;
                    }
                    at = end;
                }
                inserter.flush();
            } catch (IOException e) {
                throw StoreIOException.of(packFile, e);
            }
        }
        try {
            FileIo.current().delete(damagedIdx);
            FileIo.current().delete(packFile);
            AtomicFiles.syncDirectory(packDir);
        } catch (IOException e) {
            throw StoreIOException.of(damagedIdx, e);
        }
        damagedPacks.remove(damagedIdx);
        return recovered;
    }

    private static boolean recordIntact(ObjectId id, int type, int encoding, long rawLength, ByteBuffer stored) {
        if (type > 5 || (encoding != PackFormat.ENCODING_RAW && encoding != PackFormat.ENCODING_DEFLATE)
                || rawLength < 0 || rawLength > Integer.MAX_VALUE - 16) {
            return false;
        }
        Pack.Entry entry = new Pack.Entry(0, stored.remaining(), rawLength, type, encoding);
        try {
            byte[] bytes = decode(id, entry, stored, null);
            return bytes.length == rawLength && ObjectId.fromBytes(DigestUtils.sha256(bytes)).equals(id);
        } catch (IntegrityException e) {
            return false;
        }
    }

    /** Returns pack indexes that could not be used, with the reason, for fsck. */
    public Map<Path, String> damagedPacks() {
        intactPacks();
        return Map.copyOf(damagedPacks);
    }

    /** Returns the published pack files, for fsck. */
    public List<Path> packFiles() {
        List<Path> files = new ArrayList<>();
        for (Pack p : intactPacks()) {
            files.add(p.file());
        }
        return files;
    }

    /**
     * Forgets mapped packs whose index another process has deleted since (gc rewrites packs).
     * A writer calls this after taking the writer lock: otherwise it would still find objects in
     * the old mapping that gc dropped, skip writing them as duplicates, and leave them missing.
     */
    public synchronized void forgetRemovedPacks() {
        for (Pack p : packs) {
            String idxName = p.file().getFileName().toString().replace(".pack", ".idx");
            if (!Files.exists(packDir.resolve(idxName))) {
                packs.remove(p);
                loadedPackNames.remove(idxName);
            }
        }
    }

    /**
     * Deletes pack files that no reader can see: temporary files of killed writers and packs
     * without an index. Call only while holding the repository's writer lock and before creating
     * inserters.
     */
    public void removeUnpublished() {
        try (Stream<Path> files = Files.list(packDir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                boolean orphanPack = name.endsWith(".pack") && name.startsWith("pack-")
                        && !Files.exists(packDir.resolve(name.substring(0, name.length() - 5) + ".idx"));
                if (name.startsWith("tmp-") || orphanPack) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw StoreIOException.of(packDir, e);
        }
    }

    @Override
    public void close() {
        packs.clear();
    }

    /** Reads a whole stream; used for small objects only. */
    static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
