package dev.dsv.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.error.ExitCode;
import dev.dsv.error.IntegrityException;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests of the local pack store against the {@link ObjectStore} contract. Expected ids are computed
 * here with {@link MessageDigest}, and file names and offsets follow the layout in docs/design.md.
 */
class PackStoreTest {

    /** Length of the "DSVPACK1" magic at the start of a pack. */
    private static final int PACK_MAGIC_LENGTH = 8;
    /** Record header: id 32, type 1, encoding 1, uncompressed length 8, stored length 8. */
    private static final int RECORD_HEADER_LENGTH = 50;
    /** Pack index header: magic 8, entry count 4, fan-out table 256 x 4. */
    private static final int IDX_HEADER_LENGTH = 8 + 4 + 256 * 4;

    @TempDir
    Path tempDir;

    private Path objectsDir;
    private Path packDir;
    private final List<PackStore> opened = new ArrayList<>();

    @BeforeEach
    void setUp() {
        objectsDir = tempDir.resolve("objects");
        packDir = objectsDir.resolve("pack");
    }

    @AfterEach
    void closeStores() {
        opened.forEach(PackStore::close);
    }

    private PackStore openStore() {
        PackStore store = PackStore.open(objectsDir);
        opened.add(store);
        return store;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static ObjectId idOf(byte[] bytes) {
        return ObjectId.fromBytes(sha256(bytes));
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Returns canonical-looking JSON text that deflates well, so stored and raw lengths differ. */
    private static byte[] jsonObject(String type, int index) {
        StringBuilder text = new StringBuilder("{\"entries\":[");
        for (int i = 0; i < 40; i++) {
            text.append("{\"name\":\"cell").append(index).append('-').append(i).append(".png\"},");
        }
        text.setLength(text.length() - 1);
        text.append("],\"type\":\"").append(type).append("\",\"v\":1}");
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private List<Path> filesEndingWith(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(packDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private List<Path> tmpFiles() throws IOException {
        try (Stream<Path> files = Files.list(packDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("tmp-")).toList();
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x01);
        }
    }

    private ObjectId insertAndFlush(PackStore store, ObjectType type, byte[] bytes) {
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            ObjectId id = inserter.insert(type, bytes);
            inserter.flush();
            return id;
        }
    }

    @Test
    void insertReturnsSha256OfBytes() {
        PackStore store = openStore();
        byte[] bytes = jsonObject("tree", 1);

        ObjectId id = insertAndFlush(store, ObjectType.TREE, bytes);

        assertEquals(idOf(bytes), id);
        assertEquals(ObjectId.HEX_LENGTH, id.hex().length());
    }

    @Test
    void readRoundTripsEveryNonBlobType() {
        PackStore store = openStore();
        List<ObjectType> types = List.of(ObjectType.TREE, ObjectType.LABEL, ObjectType.COMMIT, ObjectType.META);
        List<byte[]> contents = new ArrayList<>();
        List<ObjectId> ids = new ArrayList<>();
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            for (int i = 0; i < types.size(); i++) {
                byte[] bytes = jsonObject(types.get(i).jsonName(), i);
                contents.add(bytes);
                ids.add(inserter.insert(types.get(i), bytes));
            }
            inserter.flush();
        }

        for (int i = 0; i < types.size(); i++) {
            assertEquals(idOf(contents.get(i)), ids.get(i));
            assertArrayEquals(contents.get(i), store.read(ids.get(i), types.get(i)));
            assertEquals(types.get(i), store.type(ids.get(i)));
            assertEquals(contents.get(i).length, store.size(ids.get(i)));
        }
    }

    @Test
    void insertBlobFromFileRoundTrips() throws IOException {
        PackStore store = openStore();
        byte[] content = randomBytes(6 * 1024 * 1024 + 123, 42);
        Path file = tempDir.resolve("image.png");
        Files.write(file, content);

        ObjectId id;
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            id = inserter.insertBlob(file);
            inserter.flush();
        }

        assertEquals(idOf(content), id);
        try (InputStream in = store.openBlob(id)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertArrayEquals(content, store.read(id, ObjectType.BLOB));
        assertEquals(ObjectType.BLOB, store.type(id));
        assertEquals(content.length, store.size(id));
    }

    @Test
    void insertBlobFromStreamRoundTrips() throws IOException {
        PackStore store = openStore();
        byte[] content = randomBytes(3 * 1024 * 1024 + 7, 7);

        ObjectId id;
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            id = inserter.insertBlob(new ByteArrayInputStream(content));
            inserter.flush();
        }

        assertEquals(idOf(content), id);
        try (InputStream in = store.openBlob(id)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertEquals(content.length, store.size(id));
    }

    @Test
    void insertBlobAcceptsEmptyStream() throws IOException {
        PackStore store = openStore();

        ObjectId id;
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            id = inserter.insertBlob(new ByteArrayInputStream(new byte[0]));
            inserter.flush();
        }

        assertEquals(idOf(new byte[0]), id);
        assertEquals(ObjectState.PRESENT, store.state(id));
        assertEquals(0, store.size(id));
        try (InputStream in = store.openBlob(id)) {
            assertEquals(0, in.readAllBytes().length);
        }
    }

    @Test
    void objectsInvisibleBeforeFlush() throws IOException {
        PackStore store = openStore();
        PackStore otherReader = openStore();
        byte[] tree = jsonObject("tree", 1);
        byte[] blob = randomBytes(100_000, 1);

        try (ObjectStore.Inserter inserter = store.newInserter()) {
            ObjectId treeId = inserter.insert(ObjectType.TREE, tree);
            ObjectId blobId = inserter.insertBlob(new ByteArrayInputStream(blob));

            assertEquals(ObjectState.MISSING, store.state(treeId));
            assertEquals(ObjectState.MISSING, store.state(blobId));
            assertEquals(ObjectState.MISSING, otherReader.state(treeId));
            assertEquals(ObjectState.MISSING, otherReader.state(blobId));
            assertThrows(IntegrityException.class, () -> store.read(treeId, ObjectType.TREE));
            assertTrue(filesEndingWith(".idx").isEmpty());

            inserter.flush();

            assertEquals(ObjectState.PRESENT, store.state(treeId));
            assertEquals(ObjectState.PRESENT, store.state(blobId));
            assertEquals(ObjectState.PRESENT, otherReader.state(treeId));
            assertEquals(ObjectState.PRESENT, otherReader.state(blobId));
        }
    }

    @Test
    void closeWithoutFlushDiscards() throws IOException {
        PackStore store = openStore();
        byte[] tree = jsonObject("tree", 1);
        byte[] blob = randomBytes(200_000, 2);

        ObjectId treeId;
        ObjectId blobId;
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            treeId = inserter.insert(ObjectType.TREE, tree);
            blobId = inserter.insertBlob(new ByteArrayInputStream(blob));
            assertFalse(tmpFiles().isEmpty(), "an unflushed inserter writes a tmp- pack");
        }

        assertEquals(List.of(), tmpFiles());
        assertEquals(List.of(), filesEndingWith(".pack"));
        assertEquals(List.of(), filesEndingWith(".idx"));
        assertEquals(ObjectState.MISSING, store.state(treeId));
        assertEquals(ObjectState.MISSING, store.state(blobId));
        assertEquals(ObjectState.MISSING, openStore().state(treeId));
    }

    @Test
    void reinsertingPresentObjectWritesNoPack() throws IOException {
        PackStore store = openStore();
        byte[] tree = jsonObject("tree", 1);
        byte[] blob = randomBytes(500_000, 3);
        ObjectId treeId;
        ObjectId blobId;
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            treeId = inserter.insert(ObjectType.TREE, tree);
            blobId = inserter.insertBlob(new ByteArrayInputStream(blob));
            inserter.flush();
        }
        List<Path> packsAfterFirst = filesEndingWith(".pack");
        assertEquals(1, packsAfterFirst.size());
        long packSize = Files.size(packsAfterFirst.get(0));

        try (ObjectStore.Inserter inserter = store.newInserter()) {
            assertEquals(treeId, inserter.insert(ObjectType.TREE, tree));
            assertEquals(blobId, inserter.insertBlob(new ByteArrayInputStream(blob)));
            inserter.flush();
        }

        assertEquals(packsAfterFirst, filesEndingWith(".pack"));
        assertEquals(1, filesEndingWith(".idx").size());
        assertEquals(packSize, Files.size(packsAfterFirst.get(0)));
        assertEquals(List.of(), tmpFiles());
    }

    @Test
    void duplicateInsertInOneBatchStoresOnce() throws IOException {
        PackStore store = openStore();
        byte[] tree = jsonObject("tree", 1);
        byte[] blob = randomBytes(300_000, 4);

        try (ObjectStore.Inserter inserter = store.newInserter()) {
            ObjectId first = inserter.insert(ObjectType.TREE, tree);
            assertEquals(first, inserter.insert(ObjectType.TREE, tree));
            ObjectId blobFirst = inserter.insertBlob(new ByteArrayInputStream(blob));
            assertEquals(blobFirst, inserter.insertBlob(new ByteArrayInputStream(blob)));
            inserter.flush();
        }

        List<ObjectId> listed = new ArrayList<>();
        store.forEachObject(listed::add);
        assertEquals(2, listed.size());
        List<Path> packs = filesEndingWith(".pack");
        assertEquals(1, packs.size());
        // The pack contains one blob record because the inserter truncated the second copy.
        assertTrue(Files.size(packs.get(0)) < PACK_MAGIC_LENGTH + 2L * (RECORD_HEADER_LENGTH + blob.length),
                "pack size " + Files.size(packs.get(0)));
    }

    @Test
    void reopenFindsEveryObject() {
        Map<ObjectId, byte[]> expected = new java.util.HashMap<>();
        try (PackStore store = PackStore.open(objectsDir)) {
            for (int batch = 0; batch < 3; batch++) {
                try (ObjectStore.Inserter inserter = store.newInserter()) {
                    for (int i = 0; i < 20; i++) {
                        byte[] bytes = jsonObject("label", batch * 100 + i);
                        expected.put(inserter.insert(ObjectType.LABEL, bytes), bytes);
                    }
                    byte[] blob = randomBytes(50_000 + batch, batch);
                    expected.put(inserter.insertBlob(new ByteArrayInputStream(blob)), blob);
                    inserter.flush();
                }
            }
        }

        PackStore reopened = openStore();
        for (Map.Entry<ObjectId, byte[]> e : expected.entrySet()) {
            assertEquals(idOf(e.getValue()), e.getKey());
            assertEquals(ObjectState.PRESENT, reopened.state(e.getKey()), e.getKey().hex());
            assertArrayEquals(e.getValue(), reopened.read(e.getKey(), null), e.getKey().hex());
        }
    }

    @Test
    void secondInstanceSeesPublishedPacks() {
        PackStore writer = openStore();
        PackStore reader = openStore();
        byte[] bytes = jsonObject("commit", 1);
        ObjectId expectedId = idOf(bytes);
        assertEquals(ObjectState.MISSING, reader.state(expectedId));

        insertAndFlush(writer, ObjectType.COMMIT, bytes);

        assertEquals(ObjectState.PRESENT, reader.state(expectedId));
        assertArrayEquals(bytes, reader.read(expectedId, ObjectType.COMMIT));
        Set<ObjectId> listed = new HashSet<>();
        reader.forEachObject(listed::add);
        assertEquals(Set.of(expectedId), listed);
    }

    @Test
    void stateDistinguishesPresentAbsentMissing() {
        PackStore store = openStore();
        ObjectId present = insertAndFlush(store, ObjectType.TREE, jsonObject("tree", 1));
        ObjectId absent = idOf("held on another site".getBytes(StandardCharsets.UTF_8));
        ObjectId missing = idOf("never stored".getBytes(StandardCharsets.UTF_8));

        store.markAbsent(absent, "site-local");

        assertEquals(ObjectState.PRESENT, store.state(present));
        assertEquals(ObjectState.ABSENT_BY_DESIGN, store.state(absent));
        assertEquals(ObjectState.MISSING, store.state(missing));
        assertTrue(store.contains(present));
        assertFalse(store.contains(absent));
        assertFalse(store.contains(missing));
        assertEquals(Map.of(absent, "site-local"), store.absentObjects());

        PackStore reopened = openStore();
        assertEquals(ObjectState.PRESENT, reopened.state(present));
        assertEquals(ObjectState.ABSENT_BY_DESIGN, reopened.state(absent));
        assertEquals(ObjectState.MISSING, reopened.state(missing));
        assertEquals(Map.of(absent, "site-local"), reopened.absentObjects());
    }

    @Test
    void markAbsentKeepsEarlierRecords() {
        PackStore store = openStore();
        ObjectId first = idOf("first".getBytes(StandardCharsets.UTF_8));
        ObjectId second = idOf("second".getBytes(StandardCharsets.UTF_8));

        store.markAbsent(first, "partial-clone");
        store.markAbsent(second, "site-local");

        assertEquals(Map.of(first, "partial-clone", second, "site-local"), openStore().absentObjects());
    }

    @Test
    void readMissingThrowsNamingId() {
        PackStore store = openStore();
        insertAndFlush(store, ObjectType.TREE, jsonObject("tree", 1));
        ObjectId missing = idOf("never stored".getBytes(StandardCharsets.UTF_8));

        IntegrityException read = assertThrows(IntegrityException.class, () -> store.read(missing, ObjectType.TREE));
        assertEquals(ExitCode.INTEGRITY, read.exitCode());
        assertTrue(Arrays.asList(read.arguments()).contains(missing.hex()), Arrays.toString(read.arguments()));

        IntegrityException blob = assertThrows(IntegrityException.class, () -> store.openBlob(missing));
        assertTrue(Arrays.asList(blob.arguments()).contains(missing.hex()));
        IntegrityException size = assertThrows(IntegrityException.class, () -> store.size(missing));
        assertTrue(Arrays.asList(size.arguments()).contains(missing.hex()));
    }

    @Test
    void readAbsentThrowsDistinctFromMissing() {
        PackStore store = openStore();
        ObjectId absent = idOf("held on another site".getBytes(StandardCharsets.UTF_8));
        ObjectId missing = idOf("never stored".getBytes(StandardCharsets.UTF_8));
        store.markAbsent(absent, "site-local");

        IntegrityException absentError = assertThrows(IntegrityException.class, () -> store.read(absent, null));
        IntegrityException missingError = assertThrows(IntegrityException.class, () -> store.read(missing, null));

        assertTrue(Arrays.asList(absentError.arguments()).contains(absent.hex()));
        assertTrue(Arrays.asList(absentError.arguments()).contains("site-local"));
        assertNotEquals(missingError.messageKey(), absentError.messageKey());
    }

    @Test
    void readRejectsWrongType() {
        PackStore store = openStore();
        ObjectId tree = insertAndFlush(store, ObjectType.TREE, jsonObject("tree", 1));

        IntegrityException e = assertThrows(IntegrityException.class, () -> store.read(tree, ObjectType.COMMIT));
        assertTrue(Arrays.asList(e.arguments()).contains(tree.hex()));
    }

    @Test
    void readDetectsFlippedByte() throws IOException {
        byte[] bytes = jsonObject("tree", 1);
        ObjectId id;
        try (PackStore store = PackStore.open(objectsDir)) {
            id = insertAndFlush(store, ObjectType.TREE, bytes);
        }
        Path pack = filesEndingWith(".pack").get(0);
        long recordStart = PACK_MAGIC_LENGTH;
        long contentStart = recordStart + RECORD_HEADER_LENGTH;
        long end = Files.size(pack);
        assertTrue(end - contentStart < bytes.length, "tree objects are stored deflated");

        long middle = contentStart + (end - contentStart) / 2;
        flipByte(pack, middle);
        try (PackStore store = PackStore.open(objectsDir)) {
            IntegrityException e = assertThrows(IntegrityException.class, () -> store.read(id, ObjectType.TREE));
            assertEquals(ExitCode.INTEGRITY, e.exitCode());
            assertTrue(Arrays.asList(e.arguments()).contains(id.hex()), Arrays.toString(e.arguments()));
        }
        flipByte(pack, middle);

        assertArrayEquals(bytes, openStore().read(id, ObjectType.TREE));
    }

    @Test
    void readNeverReturnsDamagedBytes() throws IOException {
        byte[] bytes = jsonObject("tree", 1);
        ObjectId id;
        try (PackStore store = PackStore.open(objectsDir)) {
            id = insertAndFlush(store, ObjectType.TREE, bytes);
        }
        Path pack = filesEndingWith(".pack").get(0);
        long recordStart = PACK_MAGIC_LENGTH;
        long end = Files.size(pack);
        List<Long> positions = new ArrayList<>();
        for (long p = recordStart; p < recordStart + ObjectId.LENGTH; p++) {
            positions.add(p);
        }
        for (long p = recordStart + RECORD_HEADER_LENGTH; p < end; p++) {
            positions.add(p);
        }

        // A flip in a bit that deflate does not use for the content (the final-block flag, padding)
        // may go unnoticed, as two positions in this record do. The returned bytes must then still
        // be the original ones.
        int detected = 0;
        for (long position : positions) {
            flipByte(pack, position);
            try (PackStore store = PackStore.open(objectsDir)) {
                byte[] read = store.read(id, ObjectType.TREE);
                assertArrayEquals(bytes, read, "flipped byte at " + position);
            } catch (IntegrityException e) {
                assertTrue(Arrays.asList(e.arguments()).contains(id.hex()), "flipped byte at " + position);
                detected++;
            }
            flipByte(pack, position);
        }

        assertTrue(detected >= positions.size() - 4, detected + " of " + positions.size() + " flips detected");
    }

    @Test
    void readDetectsFlippedByteInBlob() throws IOException {
        byte[] blob = randomBytes(10_000, 5);
        ObjectId id;
        try (PackStore store = PackStore.open(objectsDir); ObjectStore.Inserter inserter = store.newInserter()) {
            id = inserter.insertBlob(new ByteArrayInputStream(blob));
            inserter.flush();
        }
        Path pack = filesEndingWith(".pack").get(0);
        flipByte(pack, PACK_MAGIC_LENGTH + RECORD_HEADER_LENGTH + 5_000);

        PackStore store = openStore();
        IntegrityException e = assertThrows(IntegrityException.class, () -> store.read(id, ObjectType.BLOB));
        assertTrue(Arrays.asList(e.arguments()).contains(id.hex()));
    }

    @Test
    void damagedIndexDisablesOnlyItsPack() throws IOException {
        byte[] first = jsonObject("tree", 1);
        byte[] second = jsonObject("tree", 2);
        ObjectId firstId;
        ObjectId secondId;
        Path firstIdx;
        try (PackStore store = PackStore.open(objectsDir)) {
            firstId = insertAndFlush(store, ObjectType.TREE, first);
            firstIdx = filesEndingWith(".idx").get(0);
            secondId = insertAndFlush(store, ObjectType.TREE, second);
        }
        assertEquals(2, filesEndingWith(".idx").size());
        long idxLength = Files.size(firstIdx);
        // Magic, entry count, fan-out table, the entry's id, its offset, and the trailing checksum.
        long[] positions = {0, 8, 8 + 4 + 100, IDX_HEADER_LENGTH, IDX_HEADER_LENGTH + 32 + 7, idxLength - 1};

        for (long position : positions) {
            flipByte(firstIdx, position);
            try (PackStore store = PackStore.open(objectsDir)) {
                String at = "flipped idx byte at " + position;
                assertEquals(ObjectState.MISSING, store.state(firstId), at);
                IntegrityException e = assertThrows(IntegrityException.class, () -> store.read(firstId, ObjectType.TREE), at);
                assertTrue(Arrays.asList(e.arguments()).contains(firstId.hex()), at);
                Map<Path, String> damaged = store.damagedPacks();
                assertEquals(Set.of(firstIdx.getFileName()),
                        damaged.keySet().stream().map(Path::getFileName).collect(java.util.stream.Collectors.toSet()), at);

                assertEquals(ObjectState.PRESENT, store.state(secondId), at);
                assertArrayEquals(second, store.read(secondId, ObjectType.TREE), at);
            }
            flipByte(firstIdx, position);
        }

        PackStore repaired = openStore();
        assertArrayEquals(first, repaired.read(firstId, ObjectType.TREE));
        assertEquals(Map.of(), repaired.damagedPacks());
    }

    @Test
    void removeUnpublishedKeepsPublishedPacks() throws IOException {
        PackStore store = openStore();
        byte[] bytes = jsonObject("tree", 1);
        ObjectId id = insertAndFlush(store, ObjectType.TREE, bytes);
        List<Path> published = new ArrayList<>(filesEndingWith(".pack"));
        published.addAll(filesEndingWith(".idx"));
        assertEquals(2, published.size());

        Path tmpPack = packDir.resolve("tmp-1b2e.pack");
        Path tmpIdx = packDir.resolve("tmp-1b2e.idx");
        Path orphan = packDir.resolve("pack-" + "ab".repeat(32) + ".pack");
        Files.write(tmpPack, new byte[] {1, 2, 3});
        Files.write(tmpIdx, new byte[] {4, 5});
        Files.write(orphan, "DSVPACK1".getBytes(StandardCharsets.US_ASCII));

        store.removeUnpublished();

        assertFalse(Files.exists(tmpPack));
        assertFalse(Files.exists(tmpIdx));
        assertFalse(Files.exists(orphan));
        for (Path p : published) {
            assertTrue(Files.exists(p), p.toString());
        }
        assertArrayEquals(bytes, openStore().read(id, ObjectType.TREE));
    }

    @Test
    void removeUnpublishedDeletesKilledWriterFile() throws IOException {
        PackStore store = openStore();
        // An inserter that is neither flushed nor closed simulates a killed writer.
        ObjectStore.Inserter abandoned = store.newInserter();
        ObjectId id = abandoned.insertBlob(new ByteArrayInputStream(randomBytes(10_000, 6)));
        assertEquals(1, tmpFiles().size());

        openStore().removeUnpublished();

        assertEquals(List.of(), tmpFiles());
        assertEquals(ObjectState.MISSING, store.state(id));
        abandoned.close();
    }

    @Test
    void forEachObjectListsEachOnce() throws IOException {
        PackStore store = openStore();
        byte[] shared = jsonObject("label", 0);
        Set<ObjectId> expected = new HashSet<>();
        expected.add(idOf(shared));
        // Two inserters that both contain the shared object publish it in two packs.
        try (ObjectStore.Inserter a = store.newInserter(); ObjectStore.Inserter b = store.newInserter()) {
            a.insert(ObjectType.LABEL, shared);
            b.insert(ObjectType.LABEL, shared);
            for (int i = 1; i <= 10; i++) {
                byte[] bytes = jsonObject("label", i);
                expected.add(idOf(bytes));
                (i % 2 == 0 ? a : b).insert(ObjectType.LABEL, bytes);
            }
            a.flush();
            b.flush();
        }
        assertEquals(2, filesEndingWith(".idx").size());

        List<ObjectId> listed = new ArrayList<>();
        store.forEachObject(listed::add);

        assertEquals(expected.size(), listed.size(), "each object once");
        assertEquals(expected, new HashSet<>(listed));
    }

    @Test
    void insertStoresObjectMarkedAbsent() {
        PackStore store = openStore();
        byte[] bytes = jsonObject("tree", 1);
        ObjectId id = idOf(bytes);
        store.markAbsent(id, "partial-clone");
        assertEquals(ObjectState.ABSENT_BY_DESIGN, store.state(id));

        insertAndFlush(store, ObjectType.TREE, bytes);

        assertEquals(ObjectState.PRESENT, store.state(id));
        assertArrayEquals(bytes, store.read(id, ObjectType.TREE));
    }

    @Test
    void openBlobStreamsExactBytes() throws IOException {
        PackStore store = openStore();
        byte[] small = randomBytes(1, 8);
        byte[] medium = randomBytes(65_537, 9);
        byte[] large = randomBytes(2 * 1024 * 1024 + 1, 10);
        List<byte[]> blobs = List.of(small, medium, large);
        List<ObjectId> ids = new ArrayList<>();
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            for (byte[] blob : blobs) {
                ids.add(inserter.insertBlob(new ByteArrayInputStream(blob)));
            }
            inserter.flush();
        }

        for (int i = 0; i < blobs.size(); i++) {
            byte[] expected = blobs.get(i);
            try (InputStream in = store.openBlob(ids.get(i))) {
                byte[] first = new byte[Math.min(1000, expected.length)];
                int n = in.readNBytes(first, 0, first.length);
                assertEquals(first.length, n);
                byte[] rest = in.readAllBytes();
                assertEquals(-1, in.read(), "stream ends after the blob");
                byte[] all = new byte[n + rest.length];
                System.arraycopy(first, 0, all, 0, n);
                System.arraycopy(rest, 0, all, n, rest.length);
                assertArrayEquals(expected, all);
                assertArrayEquals(sha256(expected), sha256(all));
            }
        }
    }

    @Test
    void typeAndSizeOfEachObject() {
        PackStore store = openStore();
        byte[] tree = jsonObject("tree", 1);
        byte[] commit = jsonObject("commit", 2);
        byte[] blob = randomBytes(123_457, 11);
        ObjectId treeId;
        ObjectId commitId;
        ObjectId blobId;
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            treeId = inserter.insert(ObjectType.TREE, tree);
            commitId = inserter.insert(ObjectType.COMMIT, commit);
            blobId = inserter.insertBlob(new ByteArrayInputStream(blob));
            inserter.flush();
        }

        assertEquals(ObjectType.TREE, store.type(treeId));
        assertEquals(ObjectType.COMMIT, store.type(commitId));
        assertEquals(ObjectType.BLOB, store.type(blobId));
        assertEquals(tree.length, store.size(treeId));
        assertEquals(commit.length, store.size(commitId));
        assertEquals(blob.length, store.size(blobId));
    }

    @Test
    void absentRecordsFromTwoStoresBothKept() {
        PackStore first = openStore();
        PackStore second = openStore();
        ObjectId x = idOf("x".getBytes(StandardCharsets.UTF_8));
        ObjectId y = idOf("y".getBytes(StandardCharsets.UTF_8));
        assertEquals(Map.of(), first.absentObjects());

        second.markAbsent(x, "site-local");
        assertEquals(ObjectState.ABSENT_BY_DESIGN, first.state(x));
        first.markAbsent(y, "partial-clone");

        PackStore reopened = openStore();
        assertEquals("site-local", reopened.absentObjects().get(x));
        assertEquals("partial-clone", reopened.absentObjects().get(y));
    }
}
