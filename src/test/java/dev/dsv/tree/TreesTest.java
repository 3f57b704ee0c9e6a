package dev.dsv.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.store.ObjectState;
import dev.dsv.store.ObjectStore;
import dev.dsv.store.PackStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests of tree edits, lookups, walks and diffs over a real pack store. Entries carry made-up blob
 * and label ids because the tree code never reads blobs or labels.
 */
class TreesTest {

    @TempDir
    Path tempDir;

    private PackStore store;
    private Trees trees;

    @BeforeEach
    void setUp() {
        store = PackStore.open(tempDir.resolve("objects"));
        trees = new Trees(store);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** One difference reported by {@link Trees#diff}. */
    private record Change(ImageEntry before, ImageEntry after) {
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static ObjectId fakeId(String text) {
        return ObjectId.fromBytes(sha256(text));
    }

    /** Returns an entry whose blob depends on {@code key} and whose label depends on both arguments. */
    private static ImageEntry entry(String key, int version) {
        TreeMap<String, String> attributes = new TreeMap<>();
        attributes.put("line", String.valueOf(key.length() % 4));
        return new ImageEntry(fakeId("blob:" + key), fakeId("label:" + key + ":" + version),
                "mono", "production", null, "train", attributes);
    }

    private static ImageEntry entry(String key) {
        return entry(key, 1);
    }

    /** Returns hex digit {@code level} of the SHA-256 of the lowercased name, as docs/design.md defines. */
    private static int expectedBucket(String name, int level) {
        String hex = HexFormat.of().formatHex(sha256(name.toLowerCase(Locale.ROOT)));
        return Character.digit(hex.charAt(level), 16);
    }

    private static Map<String, ImageEntry> entries(String folder, int count) {
        Map<String, ImageEntry> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String path = String.format("%s/cell%05d.png", folder, i);
            map.put(path, entry(path));
        }
        return map;
    }

    private ObjectId applyAndFlush(ObjectId root, Map<String, ImageEntry> changes) {
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            ObjectId result = trees.apply(root, changes, inserter);
            inserter.flush();
            return result;
        }
    }

    private ObjectId build(Map<String, ImageEntry> content) {
        return applyAndFlush(Trees.EMPTY_TREE, content);
    }

    private Map<String, ImageEntry> walkAll(Trees reader, ObjectId root) {
        Map<String, ImageEntry> seen = new HashMap<>();
        reader.walk(root, (path, e) -> {
            ImageEntry previous = seen.put(path, e);
            assertNull(previous, "walk visited " + path + " twice");
        });
        return seen;
    }

    private Map<String, Change> diffAll(ObjectId a, ObjectId b) {
        Map<String, Change> changes = new HashMap<>();
        trees.diff(a, b, (path, before, after) -> {
            Change previous = changes.put(path, new Change(before, after));
            assertNull(previous, "diff reported " + path + " twice");
        });
        return changes;
    }

    /** Computes the expected diff from two path maps, without the tree code. */
    private static Map<String, Change> expectedDiff(Map<String, ImageEntry> a, Map<String, ImageEntry> b) {
        Map<String, Change> expected = new HashMap<>();
        Set<String> paths = new HashSet<>(a.keySet());
        paths.addAll(b.keySet());
        for (String path : paths) {
            ImageEntry before = a.get(path);
            ImageEntry after = b.get(path);
            if (before == null || !before.equals(after)) {
                expected.put(path, new Change(before, after));
            }
        }
        return expected;
    }

    private ObjectId folderId(ObjectId root, String name) {
        TreeEntry folder = trees.findInFolder(root, name);
        assertNotNull(folder, "folder " + name);
        assertTrue(folder.isFolder(), name + " is a folder");
        return folder.tree();
    }

    private Set<ObjectId> allObjects() {
        Set<ObjectId> ids = new HashSet<>();
        store.forEachObject(ids::add);
        return ids;
    }

    /** Returns the number of bucket nodes between a folder node and the leaf that contains {@code name}. */
    private int bucketDepth(ObjectId folder, String name) {
        int depth = 0;
        TreeNode node = trees.read(folder);
        while (node instanceof TreeNode.Buckets b) {
            assertEquals(depth, b.level());
            node = trees.read(b.children().get(expectedBucket(name, b.level())));
            depth++;
        }
        return depth;
    }

    private static void assertCaseConflict(Runnable action) {
        DsvException e = assertThrows(DsvException.class, action::run);
        assertEquals("error.path.caseConflict", e.messageKey());
        assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
    }

    @Test
    void applyThenLookupNestedPaths() {
        Map<String, ImageEntry> content = new LinkedHashMap<>();
        content.put("top.png", entry("top.png"));
        content.put("batch-0601/a.png", entry("batch-0601/a.png"));
        content.put("batch-0601/line3/cell0001.png", entry("batch-0601/line3/cell0001.png"));
        content.put("batch-0601/line3/deep/er/x.png", entry("batch-0601/line3/deep/er/x.png"));

        ObjectId root = build(content);

        // A fresh reader has an empty node cache, so it proves that the nodes are in the store.
        Trees reader = new Trees(store);
        for (Map.Entry<String, ImageEntry> e : content.entrySet()) {
            assertEquals(e.getValue(), reader.lookup(root, e.getKey()), e.getKey());
        }
        assertNull(reader.lookup(root, "batch-0601/missing.png"));
        assertNull(reader.lookup(root, "nothing/a.png"));
        assertNull(reader.lookup(root, "batch-0601/line3"), "a folder is not an image");
        assertNull(reader.lookup(root, "top.png/inside.png"));
    }

    @Test
    void applyReplacesEntry() {
        ObjectId root = build(Map.of("d/a.png", entry("d/a.png", 1), "d/b.png", entry("d/b.png", 1)));

        ObjectId changed = applyAndFlush(root, Map.of("d/a.png", entry("d/a.png", 2)));

        assertNotEquals(root, changed);
        assertEquals(entry("d/a.png", 2), trees.lookup(changed, "d/a.png"));
        assertEquals(entry("d/b.png", 1), trees.lookup(changed, "d/b.png"));
        assertEquals(entry("d/a.png", 1), trees.lookup(root, "d/a.png"), "the old tree is unchanged");
    }

    @Test
    void removeDeletesPathAndEmptyFolders() {
        Map<String, ImageEntry> content = new LinkedHashMap<>();
        content.put("a.png", entry("a.png"));
        content.put("x/b.png", entry("x/b.png"));
        content.put("x/y/z/c.png", entry("x/y/z/c.png"));
        ObjectId root = build(content);

        Map<String, ImageEntry> removal = new HashMap<>();
        removal.put("x/y/z/c.png", null);
        ObjectId after = applyAndFlush(root, removal);

        assertNull(trees.lookup(after, "x/y/z/c.png"));
        assertNull(trees.findInFolder(folderId(after, "x"), "y"), "emptied folders disappear");
        assertEquals(Map.of("a.png", entry("a.png"), "x/b.png", entry("x/b.png")), walkAll(trees, after));
        assertEquals(build(Map.of("a.png", entry("a.png"), "x/b.png", entry("x/b.png"))), after);
    }

    @Test
    void removeEverythingGivesEmptyTree() {
        Map<String, ImageEntry> content = new HashMap<>(entries("big", 400));
        content.put("a.png", entry("a.png"));
        content.put("x/y/b.png", entry("x/y/b.png"));
        ObjectId root = build(content);
        assertNotEquals(Trees.EMPTY_TREE, root);

        Map<String, ImageEntry> removal = new HashMap<>();
        content.keySet().forEach(p -> removal.put(p, null));
        ObjectId after = applyAndFlush(root, removal);

        assertEquals(Trees.EMPTY_TREE, after);
        assertEquals(Map.of(), walkAll(trees, after));
    }

    @Test
    void emptyTreeIdMatchesEncoding() {
        String canonical = "{\"type\":\"tree\",\"v\":1}";

        assertEquals(fakeId(canonical), Trees.EMPTY_TREE);
    }

    @Test
    void walkVisitsExactlyPutEntries() {
        Map<String, ImageEntry> content = new HashMap<>(entries("big", 1500));
        content.putAll(entries("small", 10));
        content.putAll(entries("nested/deeper", 300));
        content.put("root.png", entry("root.png"));

        ObjectId root = build(content);

        assertEquals(content, walkAll(new Trees(store), root));
    }

    @Test
    void largeFolderBecomesBuckets() {
        ObjectId at256 = build(entries("dir", Trees.MAX_FLAT));
        ObjectId at257 = build(entries("dir", Trees.MAX_FLAT + 1));

        TreeNode flat = trees.read(folderId(at256, "dir"));
        TreeNode.Flat flatNode = assertInstanceOf(TreeNode.Flat.class, flat);
        assertEquals(256, flatNode.entries().size());

        TreeNode bucketed = new Trees(store).read(folderId(at257, "dir"));
        TreeNode.Buckets buckets = assertInstanceOf(TreeNode.Buckets.class, bucketed);
        assertEquals(0, buckets.level());
        assertEquals(257, buckets.count());
        int total = 0;
        for (Map.Entry<Integer, ObjectId> child : buckets.children().entrySet()) {
            TreeNode.Flat leaf = assertInstanceOf(TreeNode.Flat.class, trees.read(child.getValue()));
            for (TreeEntry e : leaf.entries()) {
                assertEquals(expectedBucket(e.name(), 0), child.getKey(), e.name());
            }
            total += leaf.entries().size();
        }
        assertEquals(257, total);
    }

    @Test
    void bucketsNestWhenLeafOverflows() {
        // 5000 names spread over 16 buckets put about 312 in each, so level 1 is needed.
        ObjectId root = build(entries("dir", 5000));

        TreeNode.Buckets top = assertInstanceOf(TreeNode.Buckets.class, trees.read(folderId(root, "dir")));
        assertEquals(5000, top.count());
        boolean sawLevelOne = false;
        for (ObjectId child : top.children().values()) {
            TreeNode node = trees.read(child);
            if (node instanceof TreeNode.Buckets inner) {
                assertEquals(1, inner.level());
                assertTrue(inner.count() > Trees.MAX_FLAT, "count " + inner.count());
                sawLevelOne = true;
            } else {
                assertTrue(node.count() <= Trees.MAX_FLAT, "flat child with " + node.count());
            }
        }
        assertTrue(sawLevelOne);
    }

    @Test
    void shapeIsCanonicalAcrossHistories() {
        Map<String, ImageEntry> target = new HashMap<>(entries("big", 300));
        target.put("a.png", entry("a.png"));
        target.put("side/b.png", entry("side/b.png"));

        ObjectId allAtOnce = build(target);

        List<String> paths = new ArrayList<>(target.keySet());
        Collections.shuffle(paths, new Random(17));
        ObjectId batched = Trees.EMPTY_TREE;
        for (int batch = 0; batch < 10; batch++) {
            Map<String, ImageEntry> changes = new HashMap<>();
            for (int i = batch; i < paths.size(); i += 10) {
                changes.put(paths.get(i), target.get(paths.get(i)));
            }
            batched = applyAndFlush(batched, changes);
        }

        Map<String, ImageEntry> withExtra = new HashMap<>(target);
        Map<String, ImageEntry> extra = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String path = String.format("big/extra%05d.png", i);
            withExtra.put(path, entry(path));
            extra.put(path, null);
        }
        ObjectId grown = build(withExtra);
        ObjectId shrunk = applyAndFlush(grown, extra);

        assertEquals(allAtOnce, batched);
        assertEquals(allAtOnce, shrunk);
        assertInstanceOf(TreeNode.Buckets.class, trees.read(folderId(allAtOnce, "big")));
    }

    @Test
    void shapeIsCanonicalWithNestedBuckets() {
        Map<String, ImageEntry> target = entries("big", 5000);
        ObjectId allAtOnce = build(target);

        // The same content reached by first storing older labels, then relabeling every entry in five
        // random batches.
        Map<String, ImageEntry> older = new HashMap<>();
        target.keySet().forEach(p -> older.put(p, entry(p, 0)));
        ObjectId history = build(older);
        List<String> paths = new ArrayList<>(target.keySet());
        Collections.shuffle(paths, new Random(3));
        for (int batch = 0; batch < 5; batch++) {
            Map<String, ImageEntry> changes = new HashMap<>();
            for (int i = batch; i < paths.size(); i += 5) {
                changes.put(paths.get(i), target.get(paths.get(i)));
            }
            history = applyAndFlush(history, changes);
        }

        Map<String, ImageEntry> withExtra = new HashMap<>(target);
        Map<String, ImageEntry> extra = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String path = String.format("big/extra%05d.png", i);
            withExtra.put(path, entry(path));
            extra.put(path, null);
        }
        ObjectId shrunk = applyAndFlush(build(withExtra), extra);

        assertNotEquals(allAtOnce, build(older));
        assertEquals(allAtOnce, history);
        assertEquals(allAtOnce, shrunk);
    }

    @Test
    void deletingBelowLimitCollapsesToFlat() {
        Map<String, ImageEntry> content = entries("dir", 300);
        ObjectId root = build(content);
        assertInstanceOf(TreeNode.Buckets.class, trees.read(folderId(root, "dir")));
        List<String> paths = new ArrayList<>(content.keySet());

        Map<String, ImageEntry> downTo257 = new HashMap<>();
        paths.subList(257, 300).forEach(p -> downTo257.put(p, null));
        ObjectId at257 = applyAndFlush(root, downTo257);
        TreeNode.Buckets stillBucketed = assertInstanceOf(TreeNode.Buckets.class, trees.read(folderId(at257, "dir")));
        assertEquals(257, stillBucketed.count());

        ObjectId at256 = applyAndFlush(at257, Collections.singletonMap(paths.get(256), null));
        TreeNode.Flat collapsed = assertInstanceOf(TreeNode.Flat.class, trees.read(folderId(at256, "dir")));
        assertEquals(256, collapsed.entries().size());

        Map<String, ImageEntry> remaining = new HashMap<>();
        paths.subList(0, 256).forEach(p -> remaining.put(p, content.get(p)));
        assertEquals(build(remaining), at256);
        assertEquals(remaining, walkAll(new Trees(store), at256));
    }

    @Test
    void diffReportsAddedRemovedChanged() {
        Map<String, ImageEntry> before = new HashMap<>(entries("a", 40));
        before.putAll(entries("b/c", 10));
        before.put("top.png", entry("top.png"));
        Map<String, ImageEntry> after = new HashMap<>(before);
        after.remove("a/cell00003.png");
        after.remove("b/c/cell00000.png");
        after.put("a/cell00007.png", entry("a/cell00007.png", 2));
        after.put("top.png", entry("top.png", 2));
        after.put("a/new.png", entry("a/new.png"));
        after.put("new/folder/x.png", entry("new/folder/x.png"));

        ObjectId a = build(before);
        ObjectId b = build(after);
        Map<String, Change> changes = diffAll(a, b);

        assertEquals(expectedDiff(before, after), changes);
        assertEquals(6, changes.size());
        assertEquals(new Change(entry("a/cell00007.png", 1), entry("a/cell00007.png", 2)), changes.get("a/cell00007.png"));
        assertEquals(new Change(entry("a/cell00003.png"), null), changes.get("a/cell00003.png"));
        assertEquals(new Change(null, entry("new/folder/x.png")), changes.get("new/folder/x.png"));
        assertEquals(expectedDiff(after, before), diffAll(b, a));
    }

    @Test
    void diffOfEqualTreesIsEmpty() {
        Map<String, ImageEntry> content = new HashMap<>(entries("big", 600));
        content.putAll(entries("small", 5));
        ObjectId a = build(content);
        ObjectId b;
        try (ObjectStore.Inserter inserter = store.newInserter()) {
            b = new Trees(store).apply(Trees.EMPTY_TREE, content, inserter);
        }

        assertEquals(a, b);
        assertEquals(Map.of(), diffAll(a, a));
        assertEquals(Map.of(), diffAll(Trees.EMPTY_TREE, Trees.EMPTY_TREE));
    }

    @Test
    void diffAgainstEmptyTreeListsEverything() {
        Map<String, ImageEntry> content = new HashMap<>(entries("big", 700));
        content.put("x/y.png", entry("x/y.png"));
        ObjectId root = build(content);

        assertEquals(expectedDiff(Map.of(), content), diffAll(Trees.EMPTY_TREE, root));
        assertEquals(expectedDiff(content, Map.of()), diffAll(root, Trees.EMPTY_TREE));
    }

    @Test
    void diffFlatAgainstBucketed() {
        Map<String, ImageEntry> flat = entries("dir", 200);
        Map<String, ImageEntry> bucketed = new HashMap<>(flat);
        for (int i = 0; i < 10; i++) {
            bucketed.remove(String.format("dir/cell%05d.png", i));
        }
        for (int i = 10; i < 15; i++) {
            String path = String.format("dir/cell%05d.png", i);
            bucketed.put(path, entry(path, 2));
        }
        for (int i = 0; i < 110; i++) {
            String path = String.format("dir/more%05d.png", i);
            bucketed.put(path, entry(path));
        }
        ObjectId a = build(flat);
        ObjectId b = build(bucketed);
        assertInstanceOf(TreeNode.Flat.class, trees.read(folderId(a, "dir")));
        assertInstanceOf(TreeNode.Buckets.class, trees.read(folderId(b, "dir")));

        Map<String, Change> forward = diffAll(a, b);
        Map<String, Change> backward = diffAll(b, a);

        assertEquals(125, forward.size());
        assertEquals(expectedDiff(flat, bucketed), forward);
        assertEquals(expectedDiff(bucketed, flat), backward);
    }

    @Test
    void diffBothBucketed() {
        Map<String, ImageEntry> before = entries("dir", 5000);
        Map<String, ImageEntry> after = new HashMap<>(before);
        Random random = new Random(5);
        for (int i = 0; i < 25; i++) {
            String path = String.format("dir/cell%05d.png", random.nextInt(5000));
            after.put(path, entry(path, 3));
        }
        after.remove("dir/cell04999.png");
        after.put("dir/added.png", entry("dir/added.png"));

        Map<String, Change> changes = diffAll(build(before), build(after));

        assertEquals(expectedDiff(before, after), changes);
        assertTrue(changes.containsKey("dir/added.png"));
        assertTrue(changes.containsKey("dir/cell04999.png"));
    }

    @Test
    void diffImageReplacedByFolder() {
        ObjectId a = build(Map.of("thing", entry("thing"), "keep.png", entry("keep.png")));
        ObjectId emptied = applyAndFlush(a, Collections.singletonMap("thing", null));
        ObjectId b = applyAndFlush(emptied, Map.of("thing/inside.png", entry("thing/inside.png")));

        Map<String, Change> expected = Map.of(
                "thing", new Change(entry("thing"), null),
                "thing/inside.png", new Change(null, entry("thing/inside.png")));
        assertEquals(expected, diffAll(a, b));
    }

    @Test
    void imagePathUsedAsFolderThrows() {
        Map<String, ImageEntry> sameBatch = new HashMap<>();
        sameBatch.put("a", entry("a"));
        sameBatch.put("a/b.png", entry("a/b.png"));
        DsvException inOneBatch = assertThrows(DsvException.class, () -> build(sameBatch));
        assertEquals(ExitCode.INVALID_INPUT, inOneBatch.exitCode());

        ObjectId withImage = build(Map.of("a", entry("a")));
        DsvException underImage = assertThrows(DsvException.class,
                () -> applyAndFlush(withImage, Map.of("a/b.png", entry("a/b.png"))));
        assertEquals(ExitCode.INVALID_INPUT, underImage.exitCode());

        ObjectId withFolder = build(Map.of("a/b.png", entry("a/b.png")));
        DsvException overFolder = assertThrows(DsvException.class,
                () -> applyAndFlush(withFolder, Map.of("a", entry("a"))));
        assertEquals(ExitCode.INVALID_INPUT, overFolder.exitCode());

        ObjectId bucketedFolder = build(entries("big", 400));
        DsvException overBucketed = assertThrows(DsvException.class,
                () -> applyAndFlush(bucketedFolder, Map.of("big", entry("big"))));
        assertEquals(ExitCode.INVALID_INPUT, overBucketed.exitCode());
    }

    @Test
    void caseConflictInOneBatchThrows() {
        Map<String, ImageEntry> content = new HashMap<>();
        content.put("dir/Cell.png", entry("dir/Cell.png"));
        content.put("dir/cell.png", entry("dir/cell.png"));

        assertCaseConflict(() -> build(content));
    }

    @Test
    void caseConflictWithStoredNameThrows() {
        ObjectId root = build(Map.of("dir/Cell.png", entry("dir/Cell.png")));

        assertCaseConflict(() -> applyAndFlush(root, Map.of("dir/CELL.png", entry("dir/CELL.png"))));
        assertCaseConflict(() -> applyAndFlush(root, Map.of("DIR/x.png", entry("DIR/x.png"))));
    }

    @Test
    void caseConflictInBucketedFolderThrows() {
        Map<String, ImageEntry> content = entries("dir", 1000);
        ObjectId root = build(content);
        assertInstanceOf(TreeNode.Buckets.class, trees.read(folderId(root, "dir")));

        assertCaseConflict(() -> applyAndFlush(root, Map.of("dir/CELL00500.png", entry("dir/CELL00500.png"))));

        Map<String, ImageEntry> sameBatch = new HashMap<>(content);
        sameBatch.put("dir/Cell00001.png", entry("dir/Cell00001.png"));
        assertCaseConflict(() -> build(sameBatch));
    }

    @Test
    void caseRenameInOneBatchIsAllowed() {
        ObjectId root = build(Map.of("dir/Cell.png", entry("dir/Cell.png")));
        Map<String, ImageEntry> rename = new HashMap<>();
        rename.put("dir/Cell.png", null);
        rename.put("dir/cell.png", entry("dir/cell.png"));

        ObjectId renamed = applyAndFlush(root, rename);

        assertEquals(Map.of("dir/cell.png", entry("dir/cell.png")), walkAll(trees, renamed));
    }

    @Test
    void findCaseVariantInBucketedFolder() {
        Map<String, ImageEntry> content = entries("dir", 1000);
        content.put("dir/Mixed-Case.PNG", entry("dir/Mixed-Case.PNG"));
        ObjectId root = build(content);
        ObjectId dir = folderId(root, "dir");
        assertInstanceOf(TreeNode.Buckets.class, trees.read(dir));

        Trees reader = new Trees(store);
        assertEquals("Mixed-Case.PNG", reader.findCaseVariant(dir, "mixed-case.png"));
        assertEquals("cell00777.png", reader.findCaseVariant(dir, "CELL00777.PNG"));
        assertNull(reader.findCaseVariant(dir, "Mixed-Case.PNG"), "the name itself is not a variant");
        assertNull(reader.findCaseVariant(dir, "absent.png"));
    }

    @Test
    void findCaseVariantInFlatFolder() {
        ObjectId root = build(Map.of("dir/Photo.png", entry("dir/Photo.png"), "dir/other.png", entry("dir/other.png")));

        assertEquals("Photo.png", trees.findCaseVariant(folderId(root, "dir"), "PHOTO.png"));
        assertNull(trees.findCaseVariant(folderId(root, "dir"), "photo.jpg"));
    }

    @Test
    void changeCostIsProportionalToChange() {
        Map<String, ImageEntry> content = new HashMap<>(entries("big", 20_000));
        content.put("other/a.png", entry("other/a.png"));
        ObjectId root = build(content);
        ObjectId big = folderId(root, "big");
        String name = "cell12345.png";
        int depth = bucketDepth(big, name);
        // 20 000 names over 16 buckets are about 1250 per bucket, which needs a second level.
        assertTrue(depth >= 2, "bucket depth " + depth);
        Set<ObjectId> before = allObjects();
        assertTrue(before.size() > 200, "a 20 000-entry folder spans many nodes: " + before.size());

        ObjectId changed = applyAndFlush(root, Map.of("big/" + name, entry("big/" + name, 2)));

        Set<ObjectId> added = new HashSet<>(allObjects());
        added.removeAll(before);
        // Only the leaf, the bucket nodes above it and the root folder node may be new.
        assertTrue(added.size() <= depth + 2, added.size() + " new objects for bucket depth " + depth);
        assertEquals(entry("big/" + name, 2), new Trees(store).lookup(changed, "big/" + name));
        for (ObjectId id : added) {
            assertEquals(ObjectType.TREE, store.type(id));
        }
    }

    @Test
    void addAndRemoveCostIsProportional() {
        ObjectId root = build(entries("big", 20_000));
        Set<ObjectId> before = allObjects();
        String added = "big/brand-new.png";
        String removed = "big/cell00042.png";
        int depth = Math.max(bucketDepth(folderId(root, "big"), "brand-new.png"),
                bucketDepth(folderId(root, "big"), "cell00042.png"));

        ObjectId afterAdd = applyAndFlush(root, Map.of(added, entry(added)));
        Set<ObjectId> afterAddObjects = allObjects();
        Set<ObjectId> newForAdd = new HashSet<>(afterAddObjects);
        newForAdd.removeAll(before);
        ObjectId afterRemove = applyAndFlush(afterAdd, Collections.singletonMap(removed, null));
        Set<ObjectId> newForRemove = new HashSet<>(allObjects());
        newForRemove.removeAll(afterAddObjects);

        assertTrue(newForAdd.size() <= depth + 2, "add wrote " + newForAdd.size());
        assertTrue(newForRemove.size() <= depth + 2, "remove wrote " + newForRemove.size());
        assertEquals(entry(added), trees.lookup(afterRemove, added));
        assertNull(trees.lookup(afterRemove, removed));
    }

    @Test
    void applyReadsOnlyTouchedNodes() {
        Map<String, ImageEntry> content = new HashMap<>(entries("big", 20_000));
        content.put("other/a.png", entry("other/a.png"));
        ObjectId root = build(content);
        String name = "cell00777.png";
        int depth = bucketDepth(folderId(root, "big"), name);
        CountingStore counting = new CountingStore(store);
        Trees fresh = new Trees(counting);

        try (ObjectStore.Inserter inserter = store.newInserter()) {
            fresh.apply(root, Map.of("big/" + name, entry("big/" + name, 2)), inserter);
        }

        // Only the root node, the bucket nodes on the path and the leaf may be read.
        assertTrue(counting.distinctReads.size() <= depth + 2,
                counting.distinctReads.size() + " nodes read for bucket depth " + depth);
    }

    /** A store wrapper that records which objects are read. */
    private static final class CountingStore implements ObjectStore {
        private final ObjectStore delegate;
        final Set<ObjectId> distinctReads = new HashSet<>();

        CountingStore(ObjectStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public ObjectState state(ObjectId id) {
            return delegate.state(id);
        }

        @Override
        public byte[] read(ObjectId id, ObjectType expected) {
            distinctReads.add(id);
            return delegate.read(id, expected);
        }

        @Override
        public InputStream openBlob(ObjectId id) {
            distinctReads.add(id);
            return delegate.openBlob(id);
        }

        @Override
        public long size(ObjectId id) {
            return delegate.size(id);
        }

        @Override
        public ObjectType type(ObjectId id) {
            return delegate.type(id);
        }

        @Override
        public Inserter newInserter() {
            return delegate.newInserter();
        }

        @Override
        public void forEachObject(Consumer<ObjectId> action) {
            delegate.forEachObject(action);
        }

        @Override
        public void markAbsent(ObjectId id, String reason) {
            delegate.markAbsent(id, reason);
        }

        @Override
        public Map<ObjectId, String> absentObjects() {
            return delegate.absentObjects();
        }

        @Override
        public void close() {
        }
    }
}
