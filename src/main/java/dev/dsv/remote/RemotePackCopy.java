package dev.dsv.remote;

import dev.dsv.model.ObjectId;
import dev.dsv.store.PackIndexFile;
import dev.dsv.store.PackStore;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Local copies of a remote's packs in a temporary folder, opened as a {@link PackStore}, so that
 * their objects can be checked (fsck of a remote) or copied back (fsck --repair) with the same
 * hash checks as local objects. Pack files are downloaded whole: checking a remote reads all of
 * it, and a repair downloads only the packs whose index names a wanted object.
 */
public final class RemotePackCopy implements AutoCloseable {
    private final Path dir;
    private final PackStore store;
    private final List<String> refProblems;

    private RemotePackCopy(Path dir, PackStore store, List<String> refProblems) {
        this.dir = dir;
        this.store = store;
        this.refProblems = refProblems;
    }

    /**
     * Downloads the pack indexes of a remote, then the packs that hold any of {@code wanted}
     * (every pack when {@code wanted} is null), into a new temporary folder.
     */
    public static RemotePackCopy download(RemoteStorage storage, Collection<ObjectId> wanted) {
        Path dir;
        try {
            dir = Files.createTempDirectory("dsv-remote-check");
        } catch (IOException e) {
            throw StoreIOException.of(Path.of(System.getProperty("java.io.tmpdir")), e);
        }
        Path packDir = dir.resolve("objects").resolve("pack");
        try {
            Files.createDirectories(packDir);
            for (RemoteStorage.KeyInfo key : storage.list("packs/")) {
                String name = key.key().substring(key.key().lastIndexOf('/') + 1);
                if (!name.startsWith("pack-") || !name.endsWith(".idx")) {
                    continue;
                }
                Path idx = packDir.resolve(name);
                storage.download(key.key(), idx);
                String packName = name.substring(0, name.length() - 4) + ".pack";
                if (wanted == null || holdsAny(idx, wanted)) {
                    storage.download("packs/" + packName, packDir.resolve(packName));
                } else {
                    Files.delete(idx);
                }
            }
        } catch (IOException e) {
            throw StoreIOException.of(packDir, e);
        }
        PackStore store = PackStore.open(dir.resolve("objects"));
        List<String> refProblems = new ArrayList<>();
        if (wanted == null) {
            Map<String, RemoteLayout.RemoteRef> refs = new java.util.TreeMap<>(RemoteLayout.readRefs(storage));
            refs.putAll(RemoteLayout.readTags(storage));
            refs.forEach((name, ref) -> {
                if (ref.commit() != null && !store.contains(ref.commit())) {
                    refProblems.add(name + " -> " + ref.commit().hex());
                }
            });
        }
        return new RemotePackCopy(dir, store, refProblems);
    }

    private static boolean holdsAny(Path idx, Collection<ObjectId> wanted) {
        try {
            PackIndexFile file = PackIndexFile.open(idx);
            for (ObjectId id : wanted) {
                if (file.find(id) != null) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            // A damaged remote index is not searched; fsck of the remote reports it.
            return false;
        }
    }

    /** Returns the copied packs as a store. */
    public PackStore store() {
        return store;
    }

    /** Returns the remote refs and tags whose commit no remote pack holds, as "NAME -> ID". */
    public List<String> refProblems() {
        return refProblems;
    }

    @Override
    public void close() {
        store.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temporary folder holds only copies of remote packs.
        }
    }
}
