package dev.dsv.remote;

import dev.dsv.error.IntegrityException;
import dev.dsv.model.ObjectId;
import dev.dsv.store.PackIndexFile;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The contents of a remote: the indexes of its visible packs (those whose {@code .idx} exists), kept in
 * a local cache folder. An index is content-addressed and never changes, so a cached copy is
 * downloaded once; a refresh costs one listing of {@code packs/}.
 */
final class RemoteIndex {
    static final String PACKS = "packs/";

    /** The location of an object on the remote: its pack key and index entry. */
    record Located(String packKey, PackIndexFile.Entry entry) {
    }

    private final Map<String, PackIndexFile> indexes;
    /** Sizes of every {@code .pack} key listed, including packs whose index never arrived. */
    private final Map<String, Long> packSizes;

    private RemoteIndex(Map<String, PackIndexFile> indexes, Map<String, Long> packSizes) {
        this.indexes = indexes;
        this.packSizes = packSizes;
    }

    /** Lists the remote's packs and loads their indexes, downloading the ones not cached yet. */
    static RemoteIndex load(RemoteStorage storage, Path cacheDir, int threads) {
        Map<String, Long> packSizes = new HashMap<>();
        List<String> idxNames = new ArrayList<>();
        for (RemoteStorage.KeyInfo k : storage.list(PACKS)) {
            String name = k.key().substring(PACKS.length());
            if (name.startsWith("pack-") && name.endsWith(".pack")) {
                packSizes.put(name.substring(0, name.length() - 5), k.size());
            } else if (name.startsWith("pack-") && name.endsWith(".idx")) {
                idxNames.add(name.substring(0, name.length() - 4));
            }
        }
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw StoreIOException.of(cacheDir, e);
        }
        List<Parallel.Task> downloads = new ArrayList<>();
        for (String name : idxNames) {
            Path cached = cacheDir.resolve(name + ".idx");
            if (packSizes.containsKey(name) && !Files.exists(cached)) {
                long maxBytes = PackIndexFile.maxBytesFor(packSizes.get(name));
                downloads.add(() -> fetchIndex(storage, name, cached, maxBytes));
            }
        }
        Parallel.run(threads, downloads);
        Map<String, PackIndexFile> indexes = new HashMap<>();
        for (String name : idxNames) {
            if (!packSizes.containsKey(name)) {
                continue;
            }
            Path cached = cacheDir.resolve(name + ".idx");
            try {
                indexes.put(name, PackIndexFile.open(cached));
            } catch (IOException e) {
                throw StoreIOException.of(cached, e);
            }
        }
        return new RemoteIndex(indexes, packSizes);
    }

    /**
     * Downloads one index, checks that its content hashes to its name, and caches it. An index larger
     * than its pack can need ({@code maxBytes}) is refused before it fills the disk.
     */
    private static void fetchIndex(RemoteStorage storage, String name, Path cached, long maxBytes) {
        String key = PACKS + name + ".idx";
        Path tmp = cached.resolveSibling("tmp-" + java.util.UUID.randomUUID());
        try {
            if (!storage.download(key, tmp, maxBytes)) {
                return;
            }
            String hash;
            try (var in = Files.newInputStream(tmp)) {
                hash = DigestUtils.sha256Hex(in);
            }
            if (!("pack-" + hash).equals(name)) {
                throw new IntegrityException("error.remote.corruptIndex", key, storage.describe());
            }
            try {
                PackIndexFile.open(tmp);
            } catch (IOException e) {
                throw new IntegrityException("error.remote.corruptIndex", key, storage.describe());
            }
            Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw StoreIOException.of(cached, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // A leftover temporary file in the cache folder is never read.
            }
        }
    }

    boolean contains(ObjectId id) {
        return locate(id) != null;
    }

    Located locate(ObjectId id) {
        for (Map.Entry<String, PackIndexFile> e : indexes.entrySet()) {
            PackIndexFile.Entry entry = e.getValue().find(id);
            if (entry != null) {
                return new Located(PACKS + e.getKey() + ".pack", entry);
            }
        }
        return null;
    }

    /** Returns the names ({@code pack-<H>}) of every pack that holds the object; a push may have sent it twice. */
    List<String> packsHolding(ObjectId id) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, PackIndexFile> e : indexes.entrySet()) {
            if (e.getValue().find(id) != null) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    /** Calls {@code action} with the pack key and entry of every object on the remote. */
    void forEach(BiConsumer<String, PackIndexFile.Entry> action) {
        for (Map.Entry<String, PackIndexFile> e : indexes.entrySet()) {
            String key = PACKS + e.getKey() + ".pack";
            e.getValue().forEach(entry -> action.accept(key, entry));
        }
    }

    /** Returns true when the pack's index is on the remote (the pack is visible). */
    boolean hasIndex(String name) {
        return indexes.containsKey(name);
    }

    /** Returns the size of a listed {@code .pack} key, or -1 when it is not on the remote. */
    long packSize(String name) {
        return packSizes.getOrDefault(name, -1L);
    }

    int packCount() {
        return indexes.size();
    }
}
