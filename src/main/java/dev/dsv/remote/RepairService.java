package dev.dsv.remote;

import dev.dsv.error.Problem;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.FsckService;
import dev.dsv.service.Progress;
import dev.dsv.service.ReindexService;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.store.PackStore;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dsv fsck --remote NAME} and {@code dsv fsck --repair}: checks the objects of a remote,
 * and restores a damaged repository from its remotes. See docs/design.md, "Faults, integrity
 * checks and repair".
 */
public final class RepairService {
    /** The outcome of checking a remote: objects re-hashed and what was wrong. */
    public record RemoteCheck(String remote, int checked, Map<ObjectId, Problem> corrupt, Map<Path, String> damagedPacks,
                              List<String> refsWithoutCommit) {
        public boolean clean() {
            return corrupt.isEmpty() && damagedPacks.isEmpty() && refsWithoutCommit.isEmpty();
        }
    }

    /**
     * The outcome of a repair: packs rebuilt from their records, objects restored (with the remote
     * each came from), whether the index was rebuilt, and the check after the repair.
     */
    public record Repair(FsckService.Report before, int packsRecovered, Map<ObjectId, String> restored,
                         boolean reindexed, List<Path> linkCacheDropped, FsckService.Report after) {
        /** Returns the objects that are still missing or corrupt. */
        public Set<ObjectId> unrestored() {
            Set<ObjectId> ids = new LinkedHashSet<>();
            after.missing().forEach(f -> ids.add(f.id()));
            after.corrupt().forEach(f -> ids.add(f.id()));
            return ids;
        }
    }

    private final Session session;
    private final Progress progress;

    public RepairService(Session session, Progress progress) {
        this.session = session;
        this.progress = progress;
    }

    /** Downloads every pack of a remote and re-hashes every object in it; checks its refs. */
    public RemoteCheck checkRemote(String name) {
        RemoteConfig.Remote remote = RemoteConfig.read(session.repository()).require(name);
        try (RemoteStorage storage = RemoteStorages.open(remote.spec());
             RemotePackCopy copy = RemotePackCopy.download(storage, null)) {
            PackStore store = copy.store();
            Map<ObjectId, Problem> corrupt = new LinkedHashMap<>();
            int[] checked = {0};
            store.forEachObject(id -> {
                Problem p = FsckService.objectProblem(store, id);
                checked[0]++;
                if (p != null) {
                    corrupt.put(id, p);
                }
            });
            Map<Path, String> damaged = new LinkedHashMap<>();
            store.damagedPacks().forEach((idx, why) -> damaged.put(Path.of("packs").resolve(idx.getFileName()), why));
            return new RemoteCheck(name, checked[0], corrupt, damaged, copy.refProblems());
        }
    }

    /**
     * Repairs what it can under the writer lock. It rebuilds packs whose index is damaged from their
     * own records and copies each missing or corrupt object from the first remote with an intact
     * copy, checking its hash first. It then drops a damaged link cache and rebuilds the index when
     * the index differs from the objects or objects were restored.
     */
    public Repair repair() {
        try (RepositoryLock lock = session.lock("fsck --repair")) {
            PackStore store = session.repository().store();
            FsckService.Report before = new FsckService(session, progress).checkLocked();
            int packsRecovered = 0;
            for (Path idx : before.damagedPacks().keySet()) {
                store.recoverPack(idx);
                packsRecovered++;
            }
            FsckService.Report current = packsRecovered > 0 ? new FsckService(session, progress).checkLocked() : before;
            Map<ObjectId, String> restored = new LinkedHashMap<>();
            // fsck does not walk below a missing tree, so each restored round can uncover more.
            while (true) {
                Set<ObjectId> needed = new LinkedHashSet<>();
                Map<ObjectId, ObjectType> types = new LinkedHashMap<>();
                for (FsckService.Finding f : concat(current.missing(), current.corrupt())) {
                    needed.add(f.id());
                    types.put(f.id(), f.type());
                }
                int restoredBefore = restored.size();
                for (RemoteConfig.Remote remote : RemoteConfig.read(session.repository()).list()) {
                    if (!needed.isEmpty()) {
                        restoreFrom(remote, needed, types, restored);
                    }
                }
                if (restored.size() == restoredBefore) {
                    break;
                }
                current = new FsckService(session, progress).checkLocked();
            }
            List<Path> links = new ArrayList<>(current.damagedLinks());
            for (Path link : links) {
                deleteLink(link);
            }
            boolean objectsIntact = current.missing().isEmpty() && current.corrupt().isEmpty();
            boolean damagedIndex = !current.indexProblems().isEmpty();
            boolean reindex = objectsIntact && (damagedIndex || !restored.isEmpty() || packsRecovered > 0);
            if (reindex) {
                new ReindexService(session).reindexLocked(damagedIndex);
            }
            FsckService.Report after = new FsckService(session, progress).checkLocked();
            return new Repair(before, packsRecovered, restored, reindex, links, after);
        }
    }

    private static List<FsckService.Finding> concat(List<FsckService.Finding> a, List<FsckService.Finding> b) {
        List<FsckService.Finding> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Copies the needed objects that {@code remote} has intact into the local store. The remote copy
     * is checked before a local corrupt copy is dropped, so a failed download never makes anything worse.
     */
    private void restoreFrom(RemoteConfig.Remote remote, Set<ObjectId> needed, Map<ObjectId, ObjectType> types,
                             Map<ObjectId, String> restored) {
        try (RemoteStorage storage = RemoteStorages.open(remote.spec());
             RemotePackCopy copy = RemotePackCopy.download(storage, needed)) {
            PackStore remoteStore = copy.store();
            Set<ObjectId> intact = new LinkedHashSet<>();
            for (ObjectId id : needed) {
                if (remoteStore.contains(id) && remoteStore.type(id) == types.get(id)
                        && FsckService.objectProblem(remoteStore, id) == null) {
                    intact.add(id);
                }
            }
            if (intact.isEmpty()) {
                return;
            }
            PackStore local = session.repository().store();
            local.dropObjects(intact);
            try (ObjectStore.Inserter inserter = local.newInserter()) {
                for (ObjectId id : intact) {
                    ObjectType type = types.get(id);
                    ObjectId stored;
                    if (type == ObjectType.BLOB) {
                        try (InputStream in = remoteStore.openBlob(id)) {
                            stored = inserter.insertBlob(in);
                        }
                    } else {
                        stored = inserter.insert(type, remoteStore.read(id, type));
                    }
                    if (stored.equals(id)) {
                        restored.put(id, remote.name());
                    }
                }
                inserter.flush();
            } catch (java.io.IOException e) {
                throw dev.dsv.store.StoreIOException.of(session.repository().dsvDir().resolve("objects"), e);
            }
            needed.removeAll(restored.keySet());
        }
    }

    private static void deleteLink(Path link) {
        try {
            link.toFile().setWritable(true);
            java.nio.file.Files.deleteIfExists(link);
        } catch (java.io.IOException e) {
            throw dev.dsv.store.StoreIOException.of(link, e);
        }
    }
}
