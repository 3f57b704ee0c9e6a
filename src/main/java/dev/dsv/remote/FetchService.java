package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.IntegrityException;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectState;
import dev.dsv.store.PackStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dsv fetch [REMOTE]}: downloads the objects of the remote's branches that this clone
 * lacks, updates the remote-tracking refs and adds the remote's metadata records to the local
 * log. A partial clone fetches only the blobs its filter selects and records the rest as absent
 * by design. See docs/design.md, "Fetch, clone and integrity".
 */
public final class FetchService {
    /** One remote branch whose tracking ref changed; {@code before} null for a new one. */
    public record RefUpdate(String branch, ObjectId before, ObjectId after) {
    }

    /**
     * The outcome of a fetch: ref changes, tags created here, remote tags left out (a local tag of
     * that name at another commit, or the name taken by a branch), objects and bytes downloaded,
     * blobs recorded absent.
     */
    public record Result(String remote, List<RefUpdate> updates, List<TagUpdate> tags, List<TagConflict> tagConflicts,
                         long objects, long bytes, int metaRecords, int absentRecorded, long retries) {
    }

    /** A tag of the remote created in this clone. */
    public record TagUpdate(String name, ObjectId commit) {
    }

    /**
     * A remote tag not created here: {@code local} is the commit of the local tag of that name,
     * or null when the name cannot be created here; then {@code reasonKey} and {@code reasonArguments}
     * are the message that says why.
     */
    public record TagConflict(String name, ObjectId local, ObjectId remote, String reasonKey,
                              List<Object> reasonArguments) {
    }

    static final String ABSENT_PARTIAL = "partial-clone";
    static final String ABSENT_SITE_LOCAL = "site-local";
    static final String ABSENT_NOT_ON_REMOTE = "not-on-remote";

    private final Session session;
    /** Blobs that a {@code purge} record names; a head that lacks one records it absent as purged. */
    private Set<ObjectId> purged = Set.of();

    public FetchService(Session session) {
        this.session = session;
    }

    /** Fetches from a remote (null: the default remote). */
    public Result fetch(String remoteName) {
        try (RepositoryLock lock = session.lock("fetch")) {
            RemoteConfig config = RemoteConfig.read(session.repository());
            RemoteConfig.Remote remote = remoteName == null ? config.defaultRemote() : config.require(remoteName);
            try (RetryingStorage storage = (RetryingStorage) RemoteStorages.open(remote.spec())) {
                return fetchOrForget(remote, storage);
            }
        }
    }

    /**
     * Fetches, and drops every object and cached remote file this fetch stored when it fails with an
     * integrity error. Each object matched its name, but a remote that sent one bad object is not
     * trusted for the rest. After other failures (a cut connection) the checked objects stay, so the
     * next fetch resumes where this one stopped.
     */
    private Result fetchOrForget(RemoteConfig.Remote remote, RetryingStorage storage) {
        PackStore store = session.repository().store();
        Path cache = session.repository().dsvDir().resolve("remotes").resolve(remote.name());
        List<Path> packsBefore = store.packFiles();
        Set<Path> cacheBefore = filesBelow(cache);
        try {
            return fetch(remote, storage);
        } catch (DsvException e) {
            if (e.exitCode() == ExitCode.INTEGRITY) {
                List<Path> fetched = new ArrayList<>(store.packFiles());
                fetched.removeAll(packsBefore);
                store.repack(fetched, id -> false);
                for (Path f : filesBelow(cache)) {
                    if (!cacheBefore.contains(f)) {
                        try {
                            Files.deleteIfExists(f);
                        } catch (IOException ignored) {
                            // A cached copy of a remote file is checked against its name before use.
                        }
                    }
                }
            }
            throw e;
        }
    }

    /**
     * Runs a walk over the fetched histories. An object that the walk finds missing or damaged came
     * (or failed to come) from the remote, so the error names the remote rather than the local store.
     */
    private static void withRemoteBlamed(RemoteStorage storage, Runnable walk) {
        try {
            walk.run();
        } catch (DsvException e) {
            if (e.exitCode() != ExitCode.INTEGRITY || !e.messageKey().startsWith("error.object.")) {
                throw e;
            }
            throw new DsvException(ExitCode.INTEGRITY, e, "error.remote.incompleteHistory", storage.describe(),
                    e.getMessage());
        }
    }

    private static Set<Path> filesBelow(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toSet());
        } catch (IOException e) {
            throw dev.dsv.store.StoreIOException.of(dir, e);
        }
    }

    private Result fetch(RemoteConfig.Remote remote, RetryingStorage storage) {
        Repository repo = session.repository();
        // Under the writer lock no other process publishes packs, so lookups need not list the
        // pack folder again on every miss (containsMapped), which matters for 100 000 misses.
        PackStore store = repo.store();
        RemoteLayout.checkFormat(storage, false);
        Map<String, RemoteLayout.RemoteRef> refs = RemoteLayout.readRefs(storage);
        addUnlistedRefs(remote.name(), storage, refs);
        Map<String, RemoteLayout.RemoteRef> tags = RemoteLayout.readTags(storage);
        List<RemoteLayout.RemoteRef> allRefs = new ArrayList<>(refs.values());
        allRefs.addAll(tags.values());
        Path cache = repo.dsvDir().resolve("remotes").resolve(remote.name());
        int threads = RemoteOptions.transfers(remote.spec());
        ObjectDownloader downloader = new ObjectDownloader(storage, store, threads);
        RemoteIndex index = RemoteIndex.load(storage, cache.resolve("idx"), threads);
        downloadNonBlobs(index, store, downloader, repo, storage);
        boolean relisted = false;
        if (allRefs.stream().anyMatch(ref -> !store.containsMapped(ref.commit()))) {
            // Every ref was read before the listing, and push publishes packs before it moves a
            // ref, so a complete listing contains each ref's commit. Some S3-compatible servers return
            // a short listing while other keys in the folder are being written (S3Proxy 3.3.0's
            // filesystem backend does), so list once more before calling the remote damaged.
            index = RemoteIndex.load(storage, cache.resolve("idx"), threads);
            downloadNonBlobs(index, store, downloader, repo, storage);
            relisted = true;
        }
        for (RemoteLayout.RemoteRef ref : allRefs) {
            if (!store.containsMapped(ref.commit())) {
                throw new IntegrityException("error.remote.refWithoutCommit", ref.key(), storage.describe(),
                        ref.commit().abbreviate(12));
            }
        }

        purged = purgedBlobs(storage, cache);
        Map<ObjectId, String> absent = new LinkedHashMap<>();
        List<RemoteIndex.Located> blobs = new ArrayList<>();
        RemoteIndex listedIndex = index;
        withRemoteBlamed(storage, () -> blobs.addAll(wantedBlobs(remote, refs, listedIndex, store, absent)));
        if (!relisted && absent.containsValue(ABSENT_NOT_ON_REMOTE)) {
            // A blob that a branch head names and no listed pack contains: pushed from a partial
            // clone that lacked it, or a short listing as above. List once more before recording
            // it absent by design.
            index = RemoteIndex.load(storage, cache.resolve("idx"), threads);
            downloadNonBlobs(index, store, downloader, repo, storage);
            absent.clear();
            blobs.clear();
            purged = purgedBlobs(storage, cache);
            RemoteIndex relistedIndex = index;
            withRemoteBlamed(storage, () -> blobs.addAll(wantedBlobs(remote, refs, relistedIndex, store, absent)));
        }
        downloader.download(blobs);
        if (remote.filter() != null) {
            index.forEach((key, entry) -> {
                if (entry.type() == ObjectType.BLOB && !store.containsMapped(entry.id())) {
                    absent.putIfAbsent(entry.id(), ABSENT_PARTIAL);
                }
            });
        }
        store.markAbsent(absent);
        store.clearAbsent(blobs.stream().map(l -> l.entry().id()).toList());

        // The metadata records join the log only once every object is in, so that a fetch refused for
        // a damaged object leaves the log as it was.
        List<ObjectId> newMeta = unloggedRecords(storage, cache);
        repo.metadataLog().adopt(newMeta);

        // Reading each new history in full (commits, trees, labels) before any ref moves: a commit
        // whose tree or labels the remote lacks stops the fetch with no ref moved.
        for (RemoteLayout.RemoteRef ref : refs.values()) {
            withRemoteBlamed(storage, () -> session.indexHistory(ref.commit()));
        }
        List<RefUpdate> updates = new ArrayList<>();
        for (RemoteLayout.RemoteRef ref : refs.values()) {
            ObjectId before = repo.readRemoteRef(remote.name(), ref.name());
            if (!ref.commit().equals(before)) {
                repo.writeRemoteRef(remote.name(), ref.name(), ref.commit());
                updates.add(new RefUpdate(ref.name(), before, ref.commit()));
            }
        }
        String prefix = "refs/remotes/" + remote.name() + "/";
        for (String key : repo.remoteRefs().keySet()) {
            if (!key.startsWith(prefix) || refs.containsKey(key.substring(prefix.length()))) {
                continue;
            }
            String branch = key.substring(prefix.length());
            updates.add(new RefUpdate(branch, repo.readRemoteRef(remote.name(), branch), null));
            repo.writeRemoteRef(remote.name(), branch, null);
        }
        List<TagUpdate> created = new ArrayList<>();
        List<TagConflict> conflicts = new ArrayList<>();
        adoptTags(tags, refs.keySet(), created, conflicts);
        return new Result(remote.name(), updates, created, conflicts, downloader.objects(), downloader.bytes(),
                newMeta.size(), absent.size(), storage.retries() + downloader.retries());
    }

    /** Returns the records that the remote lists and the local store contains but the metadata log lacks. */
    private List<ObjectId> unloggedRecords(RemoteStorage storage, Path cache) {
        Repository repo = session.repository();
        Set<ObjectId> localMeta = new HashSet<>(repo.metadataLog().ids());
        List<ObjectId> out = new ArrayList<>();
        for (ObjectId id : RemoteLayout.metaIds(storage, cache.resolve("meta"))) {
            if (!localMeta.contains(id) && repo.store().containsMapped(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Returns the blobs that a {@code purge} record names, in the local log or among the remote's
     * records downloaded but not yet logged. A fresh clone's log is empty until the end of the fetch.
     */
    private Set<ObjectId> purgedBlobs(RemoteStorage storage, Path cache) {
        Set<ObjectId> out = dev.dsv.service.PurgeService.purgedBlobs(session);
        List<ObjectId> unlogged = unloggedRecords(storage, cache);
        out.addAll(dev.dsv.service.PurgeService.purgeRecordsAmong(session.repository().metadataLog(), unlogged).values());
        return out;
    }

    /**
     * Creates the remote's tags that this clone lacks. Tags never move, so a local tag of the same
     * name at another commit stays as it is and is reported in {@code conflicts}. So is a tag named
     * like a local branch or a branch of the remote, because a name is a branch or a tag, never
     * both (clone creates a local branch for each remote branch).
     */
    private void adoptTags(Map<String, RemoteLayout.RemoteRef> tags, Set<String> remoteBranches,
                           List<TagUpdate> created, List<TagConflict> conflicts) {
        Repository repo = session.repository();
        List<String> localBranches = repo.branches();
        for (RemoteLayout.RemoteRef tag : tags.values()) {
            ObjectId local = repo.readRef(Repository.RefKind.TAG, tag.name());
            if (tag.commit().equals(local)) {
                continue;
            }
            if (local != null) {
                conflicts.add(new TagConflict(tag.name(), local, tag.commit(), null, List.of()));
                continue;
            }
            if (localBranches.contains(tag.name()) || remoteBranches.contains(tag.name())) {
                conflicts.add(new TagConflict(tag.name(), null, tag.commit(), "error.ref.nameTaken",
                        List.of(tag.name(), "branch")));
                continue;
            }
            try {
                repo.createTag(tag.name(), tag.commit());
            } catch (DsvException e) {
                // A local ref name in the way, such as a tag "v1" for a remote tag "v1/rc".
                conflicts.add(new TagConflict(tag.name(), null, tag.commit(), e.messageKey(),
                        List.of(e.arguments())));
                continue;
            }
            session.indexHistory(tag.commit());
            created.add(new TagUpdate(tag.name(), tag.commit()));
        }
    }

    /** Downloads the commits, trees, labels and metadata records of the index that this clone lacks. */
    /**
     * Downloads the commits, trees, labels, feature vectors and metadata records that this clone
     * lacks, in one pass. A remote with feature vectors needs a repository of the features format,
     * so an older repository stops here before anything is downloaded.
     */
    private static void downloadNonBlobs(RemoteIndex index, PackStore store, ObjectDownloader downloader,
                                         Repository repo, RemoteStorage storage) {
        List<RemoteIndex.Located> nonBlobs = new ArrayList<>();
        boolean[] remoteHasVectors = {false};
        index.forEach((key, entry) -> {
            if (entry.type() != ObjectType.BLOB && !store.containsMapped(entry.id())) {
                nonBlobs.add(new RemoteIndex.Located(key, entry));
            }
            remoteHasVectors[0] |= entry.type() == ObjectType.VECTOR;
        });
        if (remoteHasVectors[0] && repo.formatVersion() < Repository.FEATURES_FORMAT) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.features.fetchNeedsMigrate", storage.describe(),
                    repo.root(), repo.formatVersion(), Repository.FEATURES_FORMAT);
        }
        downloader.download(nonBlobs);
    }

    /**
     * Reads the ref of each branch that this clone tracks but the listing of the remote's refs
     * lacked, and adds the ones that exist to {@code refs}. A branch is thus dropped here only
     * when its ref is gone, not because one listing came back short.
     */
    private void addUnlistedRefs(String remote, RemoteStorage storage, Map<String, RemoteLayout.RemoteRef> refs) {
        String prefix = "refs/remotes/" + remote + "/";
        for (String key : session.repository().remoteRefs().keySet()) {
            if (!key.startsWith(prefix) || refs.containsKey(key.substring(prefix.length()))) {
                continue;
            }
            String branch = key.substring(prefix.length());
            RemoteLayout.RemoteRef ref = RemoteLayout.readBranchRef(storage, branch);
            if (ref != null) {
                refs.put(branch, ref);
            }
        }
    }

    /**
     * Returns the blobs to download. A full clone downloads every blob it lacks. A partial clone
     * downloads the blobs of the images that the filter selects in the changed part of each branch
     * head. Images of those heads whose blob no remote pack contains go into {@code absent}, with
     * the reason site-local when they carry the mark.
     */
    private List<RemoteIndex.Located> wantedBlobs(RemoteConfig.Remote remote, Map<String, RemoteLayout.RemoteRef> refs,
                                                  RemoteIndex index, PackStore store, Map<ObjectId, String> absent) {
        BlobFilter filter = remote.filter();
        Map<ObjectId, RemoteIndex.Located> wanted = new LinkedHashMap<>();
        if (filter == null) {
            index.forEach((key, entry) -> {
                if (entry.type() == ObjectType.BLOB && !store.containsMapped(entry.id())) {
                    wanted.putIfAbsent(entry.id(), new RemoteIndex.Located(key, entry));
                }
            });
        }
        Repository repo = session.repository();
        for (RemoteLayout.RemoteRef ref : refs.values()) {
            ObjectId before = repo.readRemoteRef(remote.name(), ref.name());
            ObjectId beforeTree = before != null && store.containsMapped(before) ? session.treeOf(before) : null;
            session.trees().diff(beforeTree, session.treeOf(ref.commit()), (path, old, image) -> {
                if (image == null || store.containsMapped(image.blob()) || wanted.containsKey(image.blob())) {
                    return;
                }
                RemoteIndex.Located at = index.locate(image.blob());
                if (at == null) {
                    absent.put(image.blob(), purged.contains(image.blob()) ? dev.dsv.service.PurgeService.ABSENT_REASON
                            : PushService.isSiteLocal(image) ? ABSENT_SITE_LOCAL : ABSENT_NOT_ON_REMOTE);
                } else if (filter != null && filter.matches(image, session::readLabel)) {
                    wanted.put(image.blob(), at);
                }
            });
        }
        return new ArrayList<>(wanted.values());
    }

    /**
     * Fetches blobs recorded absent by design (a partial clone) from the remote they came from:
     * the remote with a filter, else the default one. {@code pathsByBlob} names an image of each
     * blob for messages. Throws exit code 7 naming the images when the remote cannot be reached
     * or does not hold them.
     */
    public int fetchAbsent(Map<ObjectId, String> pathsByBlob) {
        if (pathsByBlob.isEmpty()) {
            return 0;
        }
        try (RepositoryLock lock = session.lock("fetch")) {
            RemoteConfig config = RemoteConfig.read(session.repository());
            RemoteConfig.Remote remote = config.list().stream().filter(r -> r.filter() != null).findFirst()
                    .orElse(null);
            if (remote == null) {
                if (config.list().isEmpty()) {
                    throw absentError("error.remote.absentNoRemote", pathsByBlob, "-", "-");
                }
                remote = config.defaultRemote();
            }
            PackStore store = session.repository().store();
            try (RetryingStorage storage = (RetryingStorage) RemoteStorages.open(remote.spec())) {
                Path cache = session.repository().dsvDir().resolve("remotes").resolve(remote.name());
                int threads = RemoteOptions.transfers(remote.spec());
                RemoteIndex index = RemoteIndex.load(storage, cache.resolve("idx"), threads);
                List<RemoteIndex.Located> wanted = new ArrayList<>();
                Map<ObjectId, String> notThere = new LinkedHashMap<>();
                pathsByBlob.forEach((blob, path) -> {
                    RemoteIndex.Located at = index.locate(blob);
                    if (at == null) {
                        notThere.put(blob, path);
                    } else {
                        wanted.add(at);
                    }
                });
                if (!notThere.isEmpty()) {
                    throw absentError("error.remote.absentNotOnRemote", notThere, remote.name(), "-");
                }
                new ObjectDownloader(storage, store, threads).download(wanted);
                store.clearAbsent(pathsByBlob.keySet());
                return wanted.size();
            } catch (RemoteStorageException e) {
                throw absentError("error.remote.absentUnreachable", pathsByBlob, remote.name(), e.getMessage());
            }
        }
    }

    private static DsvException absentError(String key, Map<ObjectId, String> paths, String remote, String detail) {
        List<String> names = paths.values().stream().sorted().toList();
        String shown = String.join(", ", names.subList(0, Math.min(10, names.size())));
        List<dev.dsv.error.Problem> problems = new ArrayList<>();
        paths.forEach((blob, path) -> problems.add(new dev.dsv.error.Problem("error.remote.absentImage", path, blob.hex())));
        return new DsvException(ExitCode.INTEGRITY, key, paths.size(), shown, remote, detail)
                .withProblems(problems.subList(0, Math.min(50, problems.size())));
    }
}
