package dev.dsv.tree;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Reads, edits, walks and diffs trees in a store. Edits rewrite only the nodes on the paths of the
 * changed entries; diffs skip subtrees with equal ids. Decoded nodes are cached (LRU).
 */
public final class Trees {
    /** A folder part with more entries than this is split into buckets. Fixed by format 1. */
    public static final int MAX_FLAT = 256;
    /** Children per bucket node: one hex digit of the name hash. Fixed by format 1. */
    public static final int FANOUT = 16;
    /** Bucket levels available: one per hex digit of a SHA-256. */
    public static final int MAX_LEVEL = 64;

    /** The id of the empty folder, which needs no stored object. */
    public static final ObjectId EMPTY_TREE =
            ObjectId.fromBytes(DigestUtils.sha256(TreeCodec.encode(new TreeNode.Flat(List.of()))));

    /**
     * The maximum number of entries in the node cache (entries, not nodes, because a flat node
     * contains up to 256): an eighth of the maximum heap at an estimated 400 bytes per decoded
     * entry, and at least 200 000 (an estimated 60-100 MB). A large edit, such as 10 000 relabels
     * spread over 2 000 000 images, reads each of its leaves two or three times (lookup, edit,
     * diff, index); with the default heap of a large machine they stay decoded, and under
     * {@code -Xmx512m} they are decoded again instead.
     */
    private static final int CACHE_ENTRIES =
            (int) Math.min(Integer.MAX_VALUE, Math.max(200_000L, Runtime.getRuntime().maxMemory() / 8 / 400));

    private final ObjectStore store;
    private int cachedEntries;
    private final Map<ObjectId, TreeNode> cache = Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<ObjectId, TreeNode> eldest) {
                    if (cachedEntries > CACHE_ENTRIES && size() > 1) {
                        cachedEntries -= weight(eldest.getValue());
                        return true;
                    }
                    return false;
                }
            });

    public Trees(ObjectStore store) {
        this.store = store;
    }

    /** Reads and decodes a tree node; null or {@link #EMPTY_TREE} reads as an empty flat node. */
    public TreeNode read(ObjectId id) {
        if (id == null || id.equals(EMPTY_TREE)) {
            return new TreeNode.Flat(List.of());
        }
        TreeNode cached = cache.get(id);
        if (cached != null) {
            return cached;
        }
        TreeNode node = TreeCodec.decode(id, store.read(id, ObjectType.TREE), false);
        synchronized (cache) {
            if (cache.put(id, node) == null) {
                cachedEntries += weight(node);
            }
        }
        return node;
    }

    private ObjectId write(TreeNode node, ObjectStore.Inserter inserter) {
        return inserter.insert(ObjectType.TREE, TreeCodec.encode(node));
    }

    private static int weight(TreeNode node) {
        return node instanceof TreeNode.Flat flat ? Math.max(1, flat.entries().size()) : 16;
    }

    /** Reads a node and proves its bytes canonical, bypassing the cache; fsck uses this. */
    public TreeNode readStrict(ObjectId id) {
        if (id == null || id.equals(EMPTY_TREE)) {
            return new TreeNode.Flat(List.of());
        }
        return TreeCodec.decode(id, store.read(id, ObjectType.TREE), true);
    }

    /** Returns hex digit {@code level} of the SHA-256 of the case-folded name. */
    static int bucketOf(String name, int level) {
        byte[] hash = DigestUtils.sha256(DatasetPath.fold(name).getBytes(StandardCharsets.UTF_8));
        int b = hash[level / 2] & 0xff;
        return level % 2 == 0 ? b >>> 4 : b & 0x0f;
    }

    // ---- lookup ----

    /** Returns the image entry at a dataset path, or null when there is none. */
    public ImageEntry lookup(ObjectId root, String path) {
        TreeEntry e = find(root, path);
        return e == null ? null : e.image();
    }

    /** Returns the entry (image or folder) at a dataset path, or null when there is none. */
    public TreeEntry find(ObjectId root, String path) {
        ObjectId dir = root;
        List<String> parts = DatasetPath.components(path);
        for (int i = 0; i < parts.size(); i++) {
            TreeEntry e = findInFolder(dir, parts.get(i));
            if (e == null) {
                return null;
            }
            if (i == parts.size() - 1) {
                return e;
            }
            if (!e.isFolder()) {
                return null;
            }
            dir = e.tree();
        }
        return null;
    }

    /**
     * Returns the images at a dataset path: the image itself, or every image under the folder,
     * keyed by full path. Returns an empty map when nothing is there.
     */
    public Map<String, ImageEntry> imagesAt(ObjectId root, String path) {
        Map<String, ImageEntry> out = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        TreeEntry e = find(root, path);
        if (e == null) {
            return out;
        }
        if (e.isFolder()) {
            walkFolder(e.tree(), path + "/", out::put);
        } else {
            out.put(path, e.image());
        }
        return out;
    }

    /** Returns the entry with exactly this name in a folder, or null. */
    public TreeEntry findInFolder(ObjectId folder, String name) {
        TreeNode node = read(folder);
        while (node instanceof TreeNode.Buckets b) {
            ObjectId child = b.children().get(bucketOf(name, b.level()));
            if (child == null) {
                return null;
            }
            node = read(child);
        }
        for (TreeEntry e : ((TreeNode.Flat) node).entries()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }

    /**
     * Returns the name in a folder that equals {@code name} ignoring case, or null. Names that
     * differ only in case hash to the same bucket, so this reads one leaf.
     */
    public String findCaseVariant(ObjectId folder, String name) {
        TreeNode node = read(folder);
        while (node instanceof TreeNode.Buckets b) {
            ObjectId child = b.children().get(bucketOf(name, b.level()));
            if (child == null) {
                return null;
            }
            node = read(child);
        }
        String folded = DatasetPath.fold(name);
        for (TreeEntry e : ((TreeNode.Flat) node).entries()) {
            if (!e.name().equals(name) && DatasetPath.fold(e.name()).equals(folded)) {
                return e.name();
            }
        }
        return null;
    }

    // ---- edit ----

    /**
     * Applies changes to a tree and returns the new root ({@link #EMPTY_TREE} when nothing is
     * left). {@code changes} maps dataset paths to their new entry, or to null to remove the path.
     * Objects go through {@code inserter}; the caller flushes it.
     */
    public ObjectId apply(ObjectId root, Map<String, ImageEntry> changes, ObjectStore.Inserter inserter) {
        FolderChanges tree = new FolderChanges();
        for (Map.Entry<String, ImageEntry> c : changes.entrySet()) {
            FolderChanges at = tree;
            List<String> parts = DatasetPath.components(c.getKey());
            for (int i = 0; i < parts.size() - 1; i++) {
                at = at.folders.computeIfAbsent(parts.get(i), k -> new FolderChanges());
            }
            at.images.put(parts.get(parts.size() - 1), c.getValue());
        }
        ObjectId result = applyFolder(root, tree, "", inserter);
        return result == null ? EMPTY_TREE : result;
    }

    /** Changes inside one folder: image puts or removals (null), and changes in subfolders. */
    private static final class FolderChanges {
        final Map<String, ImageEntry> images = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        final Map<String, FolderChanges> folders = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
    }

    /** A replacement for one name in a folder: the new entry, or null to remove the name. */
    private record Edit(String name, TreeEntry entry) {
    }

    private ObjectId applyFolder(ObjectId folder, FolderChanges changes, String prefix, ObjectStore.Inserter inserter) {
        Map<String, Edit> edits = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        for (Map.Entry<String, FolderChanges> sub : changes.folders.entrySet()) {
            String name = sub.getKey();
            TreeEntry existing = folder == null ? null : findInFolder(folder, name);
            if (existing != null && !existing.isFolder()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.path.imageNotFolder", prefix + name);
            }
            ObjectId child = applyFolder(existing == null ? null : existing.tree(), sub.getValue(),
                    prefix + name + "/", inserter);
            edits.put(name, new Edit(name, child == null ? null : TreeEntry.folder(name, child)));
        }
        for (Map.Entry<String, ImageEntry> img : changes.images.entrySet()) {
            String name = img.getKey();
            if (edits.containsKey(name)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.path.imageNotFolder", prefix + name);
            }
            TreeEntry existing = folder == null ? null : findInFolder(folder, name);
            if (existing != null && existing.isFolder()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.path.folderNotImage", prefix + name);
            }
            edits.put(name, new Edit(name, img.getValue() == null ? null : TreeEntry.image(name, img.getValue())));
        }
        Result r = applyEdits(folder, 0, new ArrayList<>(edits.values()), prefix, inserter);
        return r.count == 0 ? null : r.id;
    }

    /**
     * A node written by an edit, kept in memory while its parent needs it. A parent that shrinks
     * to a flat node collects the entries of its new children from here, because unflushed nodes
     * cannot be read back from the store.
     */
    private record Result(ObjectId id, int count, TreeNode node) {
    }

    private Result applyEdits(ObjectId nodeId, int level, List<Edit> edits, String prefix, ObjectStore.Inserter inserter) {
        TreeNode node = read(nodeId);
        if (node instanceof TreeNode.Flat flat) {
            TreeMap<String, TreeEntry> merged = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
            for (TreeEntry e : flat.entries()) {
                merged.put(e.name(), e);
            }
            for (Edit e : edits) {
                if (e.entry() == null) {
                    merged.remove(e.name());
                } else {
                    merged.put(e.name(), e.entry());
                }
            }
            checkCaseUnique(merged, edits, prefix);
            return build(new ArrayList<>(merged.values()), level, inserter);
        }
        TreeNode.Buckets b = (TreeNode.Buckets) node;
        Map<Integer, List<Edit>> byBucket = new TreeMap<>();
        for (Edit e : edits) {
            byBucket.computeIfAbsent(bucketOf(e.name(), b.level()), k -> new ArrayList<>()).add(e);
        }
        SortedMap<Integer, ObjectId> children = new TreeMap<>(b.children());
        Map<Integer, TreeNode> rewritten = new HashMap<>();
        int count = b.count();
        for (Map.Entry<Integer, List<Edit>> group : byBucket.entrySet()) {
            ObjectId oldChild = children.get(group.getKey());
            int oldCount = oldChild == null ? 0 : read(oldChild).count();
            Result r = applyEdits(oldChild, b.level() + 1, group.getValue(), prefix, inserter);
            count += r.count - oldCount;
            if (r.count == 0) {
                children.remove(group.getKey());
            } else {
                children.put(group.getKey(), r.id);
                rewritten.put(group.getKey(), r.node);
            }
        }
        if (count <= MAX_FLAT) {
            // Every child has at most MAX_FLAT entries here, so each rewritten one is flat.
            List<TreeEntry> all = new ArrayList<>();
            for (Map.Entry<Integer, ObjectId> child : children.entrySet()) {
                TreeNode fresh = rewritten.get(child.getKey());
                if (fresh instanceof TreeNode.Flat flat) {
                    all.addAll(flat.entries());
                } else {
                    collectEntries(child.getValue(), all);
                }
            }
            all.sort((x, y) -> CanonicalJson.CODE_POINT_ORDER.compare(x.name(), y.name()));
            return build(all, level, inserter);
        }
        TreeNode.Buckets fresh = new TreeNode.Buckets(b.level(), count, children);
        return new Result(write(fresh, inserter), count, fresh);
    }

    private void checkCaseUnique(TreeMap<String, TreeEntry> merged, List<Edit> edits, String prefix) {
        Map<String, String> byFold = new TreeMap<>();
        for (String name : merged.keySet()) {
            String other = byFold.put(DatasetPath.fold(name), name);
            if (other != null) {
                boolean touched = edits.stream().anyMatch(e -> e.name().equals(name) || e.name().equals(other));
                if (touched) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.path.caseConflict", prefix + other, prefix + name);
                }
            }
        }
    }

    /** Builds the canonical node shape for a sorted entry list at a bucket level. */
    private Result build(List<TreeEntry> sorted, int level, ObjectStore.Inserter inserter) {
        if (sorted.isEmpty()) {
            return new Result(EMPTY_TREE, 0, new TreeNode.Flat(List.of()));
        }
        if (sorted.size() <= MAX_FLAT || level >= MAX_LEVEL) {
            TreeNode.Flat flat = new TreeNode.Flat(sorted);
            return new Result(write(flat, inserter), sorted.size(), flat);
        }
        Map<Integer, List<TreeEntry>> groups = new TreeMap<>();
        for (TreeEntry e : sorted) {
            groups.computeIfAbsent(bucketOf(e.name(), level), k -> new ArrayList<>()).add(e);
        }
        SortedMap<Integer, ObjectId> children = new TreeMap<>();
        for (Map.Entry<Integer, List<TreeEntry>> g : groups.entrySet()) {
            children.put(g.getKey(), build(g.getValue(), level + 1, inserter).id);
        }
        TreeNode.Buckets buckets = new TreeNode.Buckets(level, sorted.size(), children);
        return new Result(write(buckets, inserter), sorted.size(), buckets);
    }

    private void collectEntries(ObjectId nodeId, List<TreeEntry> out) {
        TreeNode node = read(nodeId);
        if (node instanceof TreeNode.Flat flat) {
            out.addAll(flat.entries());
        } else {
            for (ObjectId child : ((TreeNode.Buckets) node).children().values()) {
                collectEntries(child, out);
            }
        }
    }

    // ---- walk ----

    /** Receives image entries with their full dataset paths. */
    @FunctionalInterface
    public interface ImageVisitor {
        void visit(String path, ImageEntry entry);
    }

    /**
     * Visits every image under {@code root}. Folders come in name order and, inside a bucketed
     * folder, in bucket order; memory is bounded by the depth of the tree.
     */
    public void walk(ObjectId root, ImageVisitor visitor) {
        walkFolder(root, "", visitor);
    }

    private void walkFolder(ObjectId nodeId, String prefix, ImageVisitor visitor) {
        TreeNode node = read(nodeId);
        if (node instanceof TreeNode.Buckets b) {
            for (ObjectId child : b.children().values()) {
                walkFolder(child, prefix, visitor);
            }
            return;
        }
        for (TreeEntry e : ((TreeNode.Flat) node).entries()) {
            if (e.isFolder()) {
                walkFolder(e.tree(), prefix + e.name() + "/", visitor);
            } else {
                visitor.visit(prefix + e.name(), e.image());
            }
        }
    }

    /** Visits every tree node id reachable from {@code root}, each once per occurrence. */
    public void walkNodes(ObjectId root, java.util.function.Consumer<ObjectId> visitor) {
        if (root == null || root.equals(EMPTY_TREE)) {
            return;
        }
        visitor.accept(root);
        TreeNode node = read(root);
        if (node instanceof TreeNode.Buckets b) {
            for (ObjectId child : b.children().values()) {
                walkNodes(child, visitor);
            }
        } else {
            for (TreeEntry e : ((TreeNode.Flat) node).entries()) {
                if (e.isFolder()) {
                    walkNodes(e.tree(), visitor);
                }
            }
        }
    }

    // ---- diff ----

    /** Receives one difference: {@code before} null for an added path, {@code after} null for a removed one. */
    @FunctionalInterface
    public interface DiffVisitor {
        void visit(String path, ImageEntry before, ImageEntry after);
    }

    /** Reports every image path whose entry differs between two trees. Equal subtrees are skipped. */
    public void diff(ObjectId a, ObjectId b, DiffVisitor visitor) {
        diffFolder(a, b, "", visitor);
    }

    private void diffFolder(ObjectId a, ObjectId b, String prefix, DiffVisitor visitor) {
        if (normal(a).equals(normal(b))) {
            return;
        }
        TreeNode na = read(a);
        TreeNode nb = read(b);
        if (na instanceof TreeNode.Buckets ba && nb instanceof TreeNode.Buckets bb && ba.level() == bb.level()) {
            for (int key = 0; key < FANOUT; key++) {
                ObjectId ca = ba.children().get(key);
                ObjectId cb = bb.children().get(key);
                if (ca != null || cb != null) {
                    diffFolder(ca, cb, prefix, visitor);
                }
            }
            return;
        }
        if (na instanceof TreeNode.Flat fa && nb instanceof TreeNode.Flat fb) {
            diffSorted(fa.entries(), fb.entries(), prefix, visitor);
            return;
        }
        List<TreeEntry> ea = new ArrayList<>();
        List<TreeEntry> eb = new ArrayList<>();
        collectEntries(normal(a), ea);
        collectEntries(normal(b), eb);
        TreeMap<String, TreeEntry> ma = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        TreeMap<String, TreeEntry> mb = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        ea.forEach(e -> ma.put(e.name(), e));
        eb.forEach(e -> mb.put(e.name(), e));
        TreeMap<String, Boolean> names = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        ma.keySet().forEach(n -> names.put(n, true));
        mb.keySet().forEach(n -> names.put(n, true));
        for (String name : names.keySet()) {
            diffEntry(ma.get(name), mb.get(name), prefix + name, visitor);
        }
    }

    /** Diffs two entry lists sorted by name in one merge pass. */
    private void diffSorted(List<TreeEntry> a, List<TreeEntry> b, String prefix, DiffVisitor visitor) {
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            int c = i == a.size() ? 1 : j == b.size() ? -1
                    : CanonicalJson.CODE_POINT_ORDER.compare(a.get(i).name(), b.get(j).name());
            if (c == 0) {
                diffEntry(a.get(i), b.get(j), prefix + a.get(i).name(), visitor);
                i++;
                j++;
            } else if (c < 0) {
                diffEntry(a.get(i), null, prefix + a.get(i).name(), visitor);
                i++;
            } else {
                diffEntry(null, b.get(j), prefix + b.get(j).name(), visitor);
                j++;
            }
        }
    }

    private void diffEntry(TreeEntry x, TreeEntry y, String path, DiffVisitor visitor) {
        if (x != null && y != null && x.isFolder() && y.isFolder()) {
            diffFolder(x.tree(), y.tree(), path + "/", visitor);
            return;
        }
        if (x != null && y != null && !x.isFolder() && !y.isFolder()) {
            if (!x.image().equals(y.image())) {
                visitor.visit(path, x.image(), y.image());
            }
            return;
        }
        if (x != null) {
            if (x.isFolder()) {
                walkFolder(x.tree(), path + "/", (p, e) -> visitor.visit(p, e, null));
            } else {
                visitor.visit(path, x.image(), null);
            }
        }
        if (y != null) {
            if (y.isFolder()) {
                walkFolder(y.tree(), path + "/", (p, e) -> visitor.visit(p, null, e));
            } else {
                visitor.visit(path, null, y.image());
            }
        }
    }

    private static ObjectId normal(ObjectId id) {
        return id == null ? EMPTY_TREE : id;
    }
}
