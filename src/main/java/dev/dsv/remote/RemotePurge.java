package dev.dsv.remote;

import dev.dsv.model.ObjectId;
import dev.dsv.store.PackBuilder;
import dev.dsv.store.PackScan;
import dev.dsv.store.PackStore;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Removes purged blobs from one remote. Remote packs are content-addressed and never change, so
 * each pack that contains a purged blob is downloaded, rewritten without it under its new name and
 * uploaded ({@code .pack}, then {@code .idx}), and only then is the old pack deleted ({@code .idx}
 * first, so no reader sees an index without its pack). The {@code purge} records go up in a pack
 * of their own with a metadata list, so fetches into other clones learn why the blobs are gone.
 */
public final class RemotePurge {
    /** The outcome of purging one remote: packs rewritten, blobs removed and purge records uploaded. */
    public record Result(String remote, int packsRewritten, int blobsRemoved, int recordsUploaded) {
    }

    private final Path cacheDir;
    private final PackStore localStore;

    /**
     * @param cacheDir the remote's cache folder under {@code .dsv/remotes/NAME}
     * @param localStore the local store, which contains the purge records to upload
     */
    public RemotePurge(Path cacheDir, PackStore localStore) {
        this.cacheDir = cacheDir;
        this.localStore = localStore;
    }

    /** Purges {@code blobs} from the remote and uploads the {@code records} that explain it. */
    public Result purge(RemoteConfig.Remote remote, Set<ObjectId> blobs, List<ObjectId> records) {
        try (RemoteStorage storage = RemoteStorages.open(remote.spec())) {
            if (storage.get(RemoteLayout.FORMAT) == null) {
                // Nothing was ever pushed there, so it contains no blob.
                return new Result(remote.name(), 0, 0, 0);
            }
            RemoteLayout.checkFormat(storage, false);
            int threads = RemoteOptions.transfers(remote.spec());
            RemoteIndex index = RemoteIndex.load(storage, cacheDir.resolve("idx"), threads);
            Set<String> packs = new TreeSet<>();
            for (ObjectId blob : blobs) {
                packs.addAll(index.packsHolding(blob));
            }
            int removed = 0;
            for (String pack : packs) {
                removed += rewrite(storage, pack, blobs);
            }
            removed += deleteOrphans(storage, index, blobs);
            int uploaded = uploadRecords(storage, records);
            return new Result(remote.name(), packs.size(), removed, uploaded);
        }
    }

    /** Rewrites one remote pack without {@code blobs}; returns how many of them it held. */
    private int rewrite(RemoteStorage storage, String pack, Set<ObjectId> blobs) {
        Path work = newWorkDir();
        try {
            Path objects = work.resolve("objects");
            Path packDir = Files.createDirectories(objects.resolve("pack"));
            String oldPack = RemoteIndex.PACKS + pack + ".pack";
            String oldIdx = RemoteIndex.PACKS + pack + ".idx";
            if (!storage.download(oldIdx, packDir.resolve(pack + ".idx"))
                    || !storage.download(oldPack, packDir.resolve(pack + ".pack"))) {
                // Another purge removed it meanwhile; the listing was older than the pack's deletion.
                return 0;
            }
            int[] dropped = {0};
            PackBuilder.Built built = null;
            try (PackStore downloaded = PackStore.open(objects);
                 PackBuilder builder = new PackBuilder(work.resolve("out"))) {
                downloaded.forEachInPack(packDir.resolve(pack + ".pack"), (id, type, size) -> {
                    if (blobs.contains(id)) {
                        dropped[0]++;
                    } else {
                        builder.add(downloaded.storedRecord(id));
                    }
                });
                if (builder.count() > 0) {
                    built = builder.finish();
                }
            }
            if (built != null) {
                storage.upload(RemoteIndex.PACKS + built.name() + ".pack", built.pack());
                storage.upload(RemoteIndex.PACKS + built.name() + ".idx", built.index());
            }
            storage.delete(oldIdx);
            storage.delete(oldPack);
            Files.deleteIfExists(cacheDir.resolve("idx").resolve(pack + ".idx"));
            return dropped[0];
        } catch (IOException e) {
            throw StoreIOException.of(work, e);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Deletes the {@code .pack} keys without an index (left by an interrupted push) that contain a
     * purged blob; returns how many purged blobs they held. Readers ignore such a pack.
     * NOTE: a push from a clone that has not fetched the purge record and is between uploading a
     * blob pack and its index loses that pack, so fetches record its other blobs as not on the remote.
     */
    private int deleteOrphans(RemoteStorage storage, RemoteIndex index, Set<ObjectId> blobs) {
        int removed = 0;
        for (RemoteStorage.KeyInfo k : storage.list(RemoteIndex.PACKS)) {
            String name = k.key().substring(RemoteIndex.PACKS.length());
            if (!name.startsWith("pack-") || !name.endsWith(".pack")
                    || index.hasIndex(name.substring(0, name.length() - 5))) {
                continue;
            }
            Path work = newWorkDir();
            try {
                Path file = work.resolve(name);
                if (!storage.download(k.key(), file)) {
                    continue;
                }
                int found = PackScan.count(file, blobs);
                if (found > 0) {
                    storage.delete(k.key());
                    removed += found;
                }
            } finally {
                deleteTree(work);
            }
        }
        return removed;
    }

    /** Uploads the records the remote's metadata lists lack, in one pack with one list. */
    private int uploadRecords(RemoteStorage storage, List<ObjectId> records) {
        Set<ObjectId> known = RemoteLayout.metaIds(storage, cacheDir.resolve("meta"));
        List<ObjectId> missing = records.stream().filter(id -> !known.contains(id)).toList();
        if (missing.isEmpty()) {
            return 0;
        }
        Path work = newWorkDir();
        try {
            PackBuilder.Built built;
            try (PackBuilder builder = new PackBuilder(work)) {
                missing.stream().sorted().forEach(id -> builder.add(localStore.storedRecord(id)));
                built = builder.finish();
            }
            storage.upload(RemoteIndex.PACKS + built.name() + ".pack", built.pack());
            storage.upload(RemoteIndex.PACKS + built.name() + ".idx", built.index());
            Map.Entry<String, byte[]> list = RemoteLayout.metaList(new ArrayList<>(missing));
            storage.put(RemoteLayout.META + list.getKey(), list.getValue());
            return missing.size();
        } finally {
            deleteTree(work);
        }
    }

    private Path newWorkDir() {
        try {
            Files.createDirectories(cacheDir);
            return Files.createTempDirectory(cacheDir, "purge-");
        } catch (IOException e) {
            throw StoreIOException.of(cacheDir, e);
        }
    }

    /** Deletes a work folder. It contains copies of the purged blobs, so a failure is an error. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw StoreIOException.of(dir, e);
        }
    }
}
