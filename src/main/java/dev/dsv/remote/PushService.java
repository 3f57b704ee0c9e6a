package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.IntegrityException;
import dev.dsv.model.Commit;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.MergeService;
import dev.dsv.service.PurgeService;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectState;
import dev.dsv.store.PackBuilder;
import dev.dsv.store.PackStore;
import dev.dsv.store.StoreIOException;
import dev.dsv.tree.TreeEntry;
import dev.dsv.tree.TreeNode;
import dev.dsv.tree.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dsv push [REMOTE] [BRANCH] [--tags | --tag NAME]}: uploads what the remote lacks for one
 * branch and the chosen tags in new packs, then moves the remote's branch ref by compare-and-swap
 * as a fast-forward and creates the tags, which never move. See docs/design.md, "What push sends".
 */
public final class PushService {
    /** The image attribute that marks a site-local image; its blob never leaves this repository. */
    public static final String SITE_LOCAL_ATTRIBUTE = "site-local";

    private static final Pattern OBJECT_ID = Pattern.compile("\\b[0-9a-f]{64}\\b");

    /**
     * The outcome of a push. {@code ref} is {@code created}, {@code updated}, {@code up-to-date} or
     * (with {@link #delete}) {@code deleted}, and then {@code commit} is null and {@code previous}
     * the deleted commit. {@code branch}, {@code ref}, {@code commit} and {@code previous} are null
     * when only tags were pushed. {@code objects} and {@code bytes} count what was uploaded (packs
     * and indexes). {@code purgeRecordsAdopted} counts the {@code purge} records that the remote
     * listed and this clone had not fetched; the push added them to the local log.
     */
    public record Result(String remote, String branch, String ref, ObjectId commit, ObjectId previous,
                         long objects, long bytes, int packsUploaded, int packsReused, int metaRecords,
                         int siteLocalBlobs, int absentBlobs, int purgeRecordsAdopted, long retries,
                         List<TagResult> tags) {
    }

    /** A pushed tag; {@code ref} is {@code created} or {@code up-to-date}. */
    public record TagResult(String name, ObjectId commit, String ref) {
    }

    private final Session session;

    public PushService(Session session) {
        this.session = session;
    }

    /** Pushes one branch (null: the current branch) and no tags. */
    public Result push(String remoteName, String branchName) {
        return push(remoteName, branchName, false, List.of());
    }

    /**
     * Pushes a branch and tags: every local tag with {@code allTags}, else the ones named. With
     * tags and no branch named, no branch is pushed, as {@code git push --tags} does; with neither,
     * the current branch is.
     */
    public Result push(String remoteName, String branchName, boolean allTags, List<String> tagNames) {
        try (RepositoryLock lock = session.lock("push")) {
            Repository repo = session.repository();
            RemoteConfig.Remote remote = remoteName == null ? RemoteConfig.read(repo).defaultRemote()
                    : RemoteConfig.read(repo).require(remoteName);
            String branch = branchName;
            if (branch == null && !allTags && tagNames.isEmpty()) {
                branch = repo.currentBranch();
            }
            ObjectId head = null;
            if (branch != null) {
                RemoteLayout.checkRefName(branch);
                head = repo.readBranch(branch);
                if (head == null) {
                    throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.push.noBranch", branch);
                }
            }
            Map<String, ObjectId> tags = selectTags(allTags, tagNames);
            try (RetryingStorage storage = (RetryingStorage) RemoteStorages.open(remote.spec())) {
                return push(remote, storage, branch, head, tags);
            }
        }
    }

    /** Returns the local tags to push, by name; throws exit code 5 for a named tag that does not exist. */
    private Map<String, ObjectId> selectTags(boolean allTags, List<String> tagNames) {
        Repository repo = session.repository();
        Map<String, ObjectId> tags = new TreeMap<>();
        for (String name : allTags ? repo.tags() : tagNames) {
            ObjectId target = repo.readRef(Repository.RefKind.TAG, name);
            if (target == null) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.push.noTag", name);
            }
            RemoteLayout.checkRefName(name);
            tags.put(name, target);
        }
        return tags;
    }

    private Result push(RemoteConfig.Remote remote, RetryingStorage storage, String branch, ObjectId head,
                        Map<String, ObjectId> tags) {
        Repository repo = session.repository();
        RemoteLayout.checkFormat(storage, true);
        storage.putIfAbsent(RemoteLayout.CONFIG, repo.config().toJson());
        RemoteStorage.Capabilities caps = storage.probe();
        if (!caps.atomicCompareAndSwap()) {
            throw new DsvException(ExitCode.IO_ERROR, "error.remote.noCas", storage.describe(), caps.detail());
        }
        String refKey = null;
        RemoteLayout.RemoteRef current = null;
        if (branch != null) {
            refKey = RemoteLayout.refKey(branch, repo.config().protectedBranches());
            current = RemoteLayout.readRefOrTombstone(storage, refKey, branch);
            checkFastForward(remote.name(), branch, current, head);
        }
        Map<String, ObjectId> newTags = tagsToCreate(remote.name(), storage, tags);

        Path cache = cacheDir(remote.name());
        int threads = RemoteOptions.transfers(remote.spec());
        RemoteIndex index = RemoteIndex.load(storage, cache.resolve("idx"), threads);
        Set<ObjectId> remoteMeta = RemoteLayout.metaIds(storage, cache.resolve("meta"));
        int purgesAdopted = adoptRemotePurges(storage, index, remoteMeta, threads);
        Set<ObjectId> heads = new LinkedHashSet<>(newTags.values());
        if (head != null) {
            heads.add(head);
        }
        Missing missing = collect(heads, index, remoteMeta);

        Uploader uploader = new Uploader(storage, index, RemoteOptions.packSize(remote.spec()), threads,
                cache.resolve("outgoing"), cache.resolve("idx"));
        uploader.send(missing);
        if (!missing.newMeta.isEmpty()) {
            Map.Entry<String, byte[]> list = RemoteLayout.metaList(missing.newMeta);
            storage.put(RemoteLayout.META + list.getKey(), list.getValue());
            writeCached(cache.resolve("meta").resolve(list.getKey()), list.getValue());
        }

        String refResult = null;
        if (branch != null) {
            refResult = moveRef(storage, remote.name(), branch, refKey, current, head);
            repo.writeRemoteRef(remote.name(), branch, head);
        }
        List<TagResult> tagResults = new ArrayList<>();
        for (Map.Entry<String, ObjectId> tag : tags.entrySet()) {
            boolean created = newTags.containsKey(tag.getKey())
                    && createTag(storage, remote.name(), tag.getKey(), tag.getValue());
            tagResults.add(new TagResult(tag.getKey(), tag.getValue(), created ? "created" : "up-to-date"));
        }
        ObjectId previous = current == null ? null : current.commit();
        return new Result(remote.name(), branch, refResult, head, previous, uploader.objects.get(), uploader.bytes.get(),
                uploader.packsUploaded, uploader.packsReused, missing.newMeta.size(), missing.kept.size(),
                missing.absent, purgesAdopted, storage.retries(), tagResults);
    }

    /**
     * Downloads the metadata records that the remote lists and the local log lacks, and adds the
     * {@code purge} records among them to the local log, as a fetch would. {@link #collect} then
     * leaves their blobs out, so a clone that has not fetched a purge does not send the purged
     * bytes back. A purged blob recorded absent here for another reason (a partial clone) gets
     * the reason purged; one this clone stores stays, as after a fetch. Returns how many purge
     * records were added. When the remote lists no record unknown here, nothing is downloaded.
     */
    private int adoptRemotePurges(RemoteStorage storage, RemoteIndex index, Set<ObjectId> remoteMeta, int threads) {
        Repository repo = session.repository();
        PackStore store = repo.store();
        Set<ObjectId> localMeta = new HashSet<>(repo.metadataLog().ids());
        List<ObjectId> unknown = new ArrayList<>();
        List<RemoteIndex.Located> wanted = new ArrayList<>();
        for (ObjectId id : remoteMeta) {
            if (localMeta.contains(id)) {
                continue;
            }
            RemoteIndex.Located at = index.locate(id);
            if (at == null || at.entry().type() != ObjectType.META) {
                // Listed but in no indexed pack (or not a record): a fetch skips it too.
                continue;
            }
            unknown.add(id);
            if (!store.containsMapped(id)) {
                wanted.add(at);
            }
        }
        if (unknown.isEmpty()) {
            return 0;
        }
        new ObjectDownloader(storage, store, threads).download(wanted);

        Map<ObjectId, ObjectId> purges = PurgeService.purgeRecordsAmong(repo.metadataLog(), unknown);
        Map<ObjectId, String> absent = new LinkedHashMap<>();
        for (ObjectId blob : purges.values()) {
            if (!store.containsMapped(blob) && store.absentObjects().containsKey(blob)) {
                absent.put(blob, PurgeService.ABSENT_REASON);
            }
        }
        store.markAbsent(absent);
        repo.metadataLog().adopt(new ArrayList<>(purges.keySet()));
        return purges.size();
    }

    /** Throws exit code 11 unless the remote branch is absent, at {@code head}, or an ancestor of it. */
    private void checkFastForward(String remote, String branch, RemoteLayout.RemoteRef current, ObjectId head) {
        ObjectId previous = current == null ? null : current.commit();
        if (previous == null || previous.equals(head)) {
            return;
        }
        boolean known = session.repository().store().state(previous) == ObjectState.PRESENT;
        if (!known || !new MergeService(session).isAncestor(previous, head)) {
            throw new DsvException(ExitCode.CONFLICT, "error.push.nonFastForward", remote, branch,
                    previous.abbreviate(12));
        }
    }

    /**
     * Returns the tags that the remote lacks. Throws exit code 11, before anything is uploaded,
     * when the remote has one of them at another commit: tags never move.
     */
    private static Map<String, ObjectId> tagsToCreate(String remote, RemoteStorage storage, Map<String, ObjectId> tags) {
        Map<String, ObjectId> missing = new TreeMap<>();
        for (Map.Entry<String, ObjectId> tag : tags.entrySet()) {
            RemoteLayout.RemoteRef there = RemoteLayout.readRef(storage, RemoteLayout.TAGS + tag.getKey(), tag.getKey());
            if (there == null) {
                missing.put(tag.getKey(), tag.getValue());
            } else if (!there.commit().equals(tag.getValue())) {
                throw tagConflict(remote, tag.getKey(), there.commit(), tag.getValue());
            }
        }
        return missing;
    }

    /**
     * Creates a tag on the remote; only creates, so an existing tag is never replaced. Returns
     * false when the remote has it at the same commit already (another push, or a retried create
     * that landed), and throws exit code 11 when it has it at another commit.
     */
    private static boolean createTag(RemoteStorage storage, String remote, String name, ObjectId target) {
        String key = RemoteLayout.TAGS + name;
        byte[] content = (target.hex() + "\n").getBytes(StandardCharsets.US_ASCII);
        if (storage.compareAndSwap(key, null, content) != null) {
            return true;
        }
        RemoteLayout.RemoteRef there = RemoteLayout.readRef(storage, key, name);
        if (there != null && there.commit().equals(target)) {
            return false;
        }
        throw tagConflict(remote, name, there == null ? null : there.commit(), target);
    }

    private static DsvException tagConflict(String remote, String name, ObjectId there, ObjectId local) {
        return new DsvException(ExitCode.CONFLICT, "error.push.tagExists", remote, name,
                there == null ? "-" : there.hex(), local.hex());
    }

    private static void writeCached(Path file, byte[] bytes) {
        try {
            dev.dsv.store.AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
    }

    /**
     * Moves the remote ref by compare-and-swap from the value read before the upload. A tombstone
     * (a deleted branch) is replaced like any other version, so the branch is created again.
     */
    private static String moveRef(RemoteStorage storage, String remote, String branch, String refKey,
                                  RemoteLayout.RemoteRef current, ObjectId head) {
        if (current != null && head.equals(current.commit())) {
            return "up-to-date";
        }
        byte[] content = (head.hex() + "\n").getBytes(StandardCharsets.US_ASCII);
        String version = storage.compareAndSwap(refKey, current == null ? null : current.version(), content);
        if (version == null) {
            // A retried swap whose first attempt landed reads back our own commit.
            RemoteLayout.RemoteRef now = RemoteLayout.readRef(storage, refKey, branch);
            if (now == null || !now.commit().equals(head)) {
                throw new DsvException(ExitCode.CONFLICT, "error.push.raced", remote, branch,
                        now == null ? "-" : now.commit().abbreviate(12));
            }
        }
        return current == null || current.commit() == null ? "created" : "updated";
    }

    /**
     * Deletes a branch on the remote: replaces its ref by compare-and-swap with a tombstone, from
     * the version that contains the commit this clone fetched last, then removes the remote-tracking
     * ref. A protected branch is never deleted (exit 12). The branch must have been fetched (exit
     * 5) and not have moved since (exit 11).
     */
    public Result delete(String remoteName, String branch) {
        try (RepositoryLock lock = session.lock("push")) {
            Repository repo = session.repository();
            RemoteConfig.Remote remote = remoteName == null ? RemoteConfig.read(repo).defaultRemote()
                    : RemoteConfig.read(repo).require(remoteName);
            RemoteLayout.checkRefName(branch);
            if (repo.config().protectedBranches().contains(branch)) {
                throw new DsvException(ExitCode.PROTECTED, "error.push.deleteProtected", remote.name(), branch);
            }
            ObjectId fetched = repo.readRemoteRef(remote.name(), branch);
            if (fetched == null) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.push.deleteNotFetched", remote.name(), branch);
            }
            try (RetryingStorage storage = (RetryingStorage) RemoteStorages.open(remote.spec())) {
                ObjectId deleted = deleteRef(remote.name(), storage, branch, fetched);
                repo.writeRemoteRef(remote.name(), branch, null);
                return new Result(remote.name(), branch, "deleted", null, deleted, 0, 0, 0, 0, 0, 0, 0, 0,
                        storage.retries(), List.of());
            }
        }
    }

    /** Writes the tombstone of a branch whose ref is at {@code fetched}; returns that commit. */
    private static ObjectId deleteRef(String remote, RetryingStorage storage, String branch, ObjectId fetched) {
        RemoteLayout.checkFormat(storage, false);
        RemoteStorage.Capabilities caps = storage.probe();
        if (!caps.atomicCompareAndSwap()) {
            throw new DsvException(ExitCode.IO_ERROR, "error.remote.noCas", storage.describe(), caps.detail());
        }
        RemoteLayout.RemoteRef current = RemoteLayout.readBranchRef(storage, branch);
        if (current == null) {
            throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.push.deleteMissing", remote, branch);
        }
        if (current.key().startsWith(RemoteLayout.PROTECTED_HEADS)) {
            // The remote keeps it as protected although this clone's configuration does not list it.
            throw new DsvException(ExitCode.PROTECTED, "error.push.deleteProtected", remote, branch);
        }
        if (!current.commit().equals(fetched)) {
            throw new DsvException(ExitCode.CONFLICT, "error.push.deleteMoved", remote, branch,
                    current.commit().abbreviate(12), fetched.abbreviate(12));
        }
        RemoteLayout.allowTombstones(storage);
        byte[] tombstone = (RemoteLayout.TOMBSTONE + fetched.hex() + "\n").getBytes(StandardCharsets.US_ASCII);
        if (storage.compareAndSwap(current.key(), current.version(), tombstone) == null) {
            // Lost to another writer, or a retried swap whose first attempt landed.
            RemoteLayout.RemoteRef now = RemoteLayout.readRefOrTombstone(storage, current.key(), branch);
            if (now != null && now.commit() != null) {
                throw new DsvException(ExitCode.CONFLICT, "error.push.deleteMoved", remote, branch,
                        now.commit().abbreviate(12), fetched.abbreviate(12));
            }
        }
        return fetched;
    }

    /** Returns the local folder that caches a remote's pack indexes and metadata lists. */
    Path cacheDir(String remote) {
        return session.repository().dsvDir().resolve("remotes").resolve(remote);
    }

    /** The objects a push sends: non-blob objects, blobs, and what it leaves out. */
    private static final class Missing {
        /** Labels, feature vectors and metadata records, which name no object that must arrive before them. */
        final Set<ObjectId> objects = new LinkedHashSet<>();
        /** Tree nodes, children before parents. */
        final Set<ObjectId> trees = new LinkedHashSet<>();
        /** Commits, parents before children. */
        final List<ObjectId> commits = new ArrayList<>();
        final Set<ObjectId> blobs = new LinkedHashSet<>();
        final Set<ObjectId> siteLocal = new HashSet<>();
        /** The site-local blobs that this push left out and the remote lacks. */
        final Set<ObjectId> kept = new HashSet<>();
        final List<ObjectId> newMeta = new ArrayList<>();
        int absent;
    }

    /**
     * Walks from {@code heads} to what the remote lacks: commits down to the first one the remote
     * has, tree nodes except subtrees the remote has, labels, feature vectors, blobs (never
     * those of site-local images) and metadata records with the objects they name.
     */
    private Missing collect(Set<ObjectId> heads, RemoteIndex index, Set<ObjectId> remoteMeta) {
        Missing m = new Missing();
        Trees trees = session.trees();
        Set<ObjectId> seen = new HashSet<>();
        Deque<ObjectId> commits = new ArrayDeque<>(heads);
        Set<ObjectId> candidateBlobs = new LinkedHashSet<>();
        Map<ObjectId, List<ObjectId>> parents = new HashMap<>();
        while (!commits.isEmpty()) {
            ObjectId id = commits.pop();
            if (!seen.add(id) || index.contains(id)) {
                continue;
            }
            Commit c = session.readCommit(id);
            parents.put(id, c.parents());
            walkTree(trees, c.tree(), index, seen, m, candidateBlobs);
            commits.addAll(c.parents());
        }
        m.commits.addAll(parentsFirst(new ArrayList<>(heads), parents));
        m.siteLocal.addAll(siteLocalBranchBlobs());
        for (ObjectId meta : session.repository().metadataLog().ids()) {
            if (remoteMeta.contains(meta)) {
                continue;
            }
            m.newMeta.add(meta);
            if (!index.contains(meta)) {
                m.objects.add(meta);
            }
            MetaRecord r = session.repository().metadataLog().read(meta);
            List<ObjectId> named = new ArrayList<>();
            if (r.subject() != null) {
                named.add(r.subject());
            }
            Matcher matcher = OBJECT_ID.matcher(String.valueOf(r.body()));
            while (matcher.find()) {
                named.add(ObjectId.parse(matcher.group()));
            }
            for (ObjectId id : named) {
                addNamed(id, index, m, candidateBlobs);
            }
        }
        if (!candidateBlobs.isEmpty()) {
            m.siteLocal.addAll(markedInBranchHeads());
        }
        PackStore store = session.repository().store();
        Set<ObjectId> purged = candidateBlobs.isEmpty() ? Set.of() : dev.dsv.service.PurgeService.purgedBlobs(session);
        for (ObjectId blob : candidateBlobs) {
            if (index.contains(blob)) {
                continue;
            }
            if (purged.contains(blob)) {
                // Purged elsewhere: this clone may still hold the bytes, and no push sends them again.
                m.absent++;
                continue;
            }
            if (m.siteLocal.contains(blob)) {
                m.kept.add(blob);
                continue;
            }
            ObjectState state = store.state(blob);
            if (state == ObjectState.ABSENT_BY_DESIGN) {
                m.absent++;
            } else if (state == ObjectState.MISSING) {
                throw new IntegrityException("error.object.missing", blob.hex());
            } else {
                m.blobs.add(blob);
            }
        }
        return m;
    }

    /**
     * Orders the commits of {@code parents} (each with its parents) so that every commit comes
     * after its parents, walking depth first from {@code heads}. The walk in {@link #collect} is
     * breadth first, and its reverse is not such an order once two merged lines differ in length.
     */
    static List<ObjectId> parentsFirst(List<ObjectId> heads, Map<ObjectId, List<ObjectId>> parents) {
        List<ObjectId> ordered = new ArrayList<>(parents.size());
        Set<ObjectId> done = new HashSet<>();
        Deque<ObjectId> stack = new ArrayDeque<>();
        for (ObjectId head : heads) {
            stack.push(head);
            while (!stack.isEmpty()) {
                ObjectId id = stack.peek();
                if (done.contains(id) || !parents.containsKey(id)) {
                    stack.pop();
                    continue;
                }
                boolean parentsDone = true;
                for (ObjectId parent : parents.get(id)) {
                    if (parents.containsKey(parent) && !done.contains(parent)) {
                        stack.push(parent);
                        parentsDone = false;
                    }
                }
                if (parentsDone) {
                    stack.pop();
                    done.add(id);
                    ordered.add(id);
                }
            }
        }
        return ordered;
    }

    /** Adds an object a metadata record names, when it is a label, meta or blob this clone holds. */
    private void addNamed(ObjectId id, RemoteIndex index, Missing m, Set<ObjectId> candidateBlobs) {
        PackStore store = session.repository().store();
        if (index.contains(id) || store.state(id) != ObjectState.PRESENT) {
            return;
        }
        ObjectType type = store.type(id);
        if (type == ObjectType.BLOB) {
            candidateBlobs.add(id);
        } else if (type == ObjectType.LABEL || type == ObjectType.META || type == ObjectType.VECTOR) {
            m.objects.add(id);
        }
    }

    private void walkTree(Trees trees, ObjectId node, RemoteIndex index, Set<ObjectId> seen, Missing m,
                          Set<ObjectId> candidateBlobs) {
        if (node == null || node.equals(Trees.EMPTY_TREE) || !seen.add(node) || index.contains(node)) {
            return;
        }
        TreeNode n = trees.read(node);
        if (n instanceof TreeNode.Buckets b) {
            for (ObjectId child : b.children().values()) {
                walkTree(trees, child, index, seen, m, candidateBlobs);
            }
            m.trees.add(node);
            return;
        }
        for (TreeEntry e : ((TreeNode.Flat) n).entries()) {
            if (e.isFolder()) {
                walkTree(trees, e.tree(), index, seen, m, candidateBlobs);
                continue;
            }
            ImageEntry image = e.image();
            if (seen.add(image.label()) && !index.contains(image.label())) {
                m.objects.add(image.label());
            }
            // Vectors go for every image, site-local ones included: they describe the image
            // without containing its bytes.
            for (ObjectId vector : image.features().values()) {
                if (seen.add(vector) && !index.contains(vector)) {
                    m.objects.add(vector);
                }
            }
            if (isSiteLocal(image)) {
                m.siteLocal.add(image.blob());
                if (!index.contains(image.blob())) {
                    m.kept.add(image.blob());
                }
            } else {
                candidateBlobs.add(image.blob());
            }
        }
        m.trees.add(node);
    }

    /** Returns true when an image carries the site-local mark. */
    public static boolean isSiteLocal(ImageEntry image) {
        return "true".equals(image.attributes().get(SITE_LOCAL_ATTRIBUTE));
    }

    /**
     * Returns the blobs that only branches marked site-local contain: the images in their heads
     * minus those in the head of any other local branch. Images that a customer branch inherited
     * from a shared branch are not customer data. An image that must stay local after a merge into
     * a shared branch needs its own mark.
     */
    private Set<ObjectId> siteLocalBranchBlobs() {
        Repository repo = session.repository();
        List<String> marked = SiteLocalBranches.read(repo);
        Set<ObjectId> out = new HashSet<>();
        if (marked.isEmpty()) {
            return out;
        }
        for (String branch : marked) {
            ObjectId at = repo.readBranch(branch);
            if (at != null) {
                session.trees().walk(session.treeOf(at), (path, entry) -> out.add(entry.blob()));
            }
        }
        for (String branch : repo.branches()) {
            ObjectId at = repo.readBranch(branch);
            if (!marked.contains(branch) && at != null) {
                session.trees().walk(session.treeOf(at), (path, entry) -> out.remove(entry.blob()));
            }
        }
        return out;
    }

    /**
     * Returns the blobs of images that carry the site-local mark in the head of any local branch.
     * A branch or tag made before the mark names the image without it, so the marks are read from
     * the heads and apply to every push.
     */
    private Set<ObjectId> markedInBranchHeads() {
        Repository repo = session.repository();
        Set<ObjectId> out = new HashSet<>();
        Set<ObjectId> walked = new HashSet<>();
        for (String branch : repo.branches()) {
            ObjectId at = repo.readBranch(branch);
            if (at != null && walked.add(at)) {
                session.trees().walk(session.treeOf(at), (path, entry) -> {
                    if (isSiteLocal(entry)) {
                        out.add(entry.blob());
                    }
                });
            }
        }
        return out;
    }

    /**
     * Builds packs of the missing objects and uploads each one, index last. Blob packs go first,
     * in parallel; then, one pack after the other, labels and metadata, tree nodes (children
     * first) and commits (parents first). So an object becomes visible on the remote only after
     * everything it names, and push may stop its walk at any object the remote has. A pack whose
     * index is on the remote already is skipped, and a {@code .pack} that arrived before an
     * interruption is recognised by name and size and not sent again: the same objects in the
     * same order give the same pack.
     */
    private final class Uploader {
        private final RemoteStorage storage;
        private final RemoteIndex index;
        private final long packSize;
        private final int threads;
        private final Path outgoing;
        private final Path indexCache;
        final AtomicLong objects = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        int packsUploaded;
        int packsReused;

        Uploader(RemoteStorage storage, RemoteIndex index, long packSize, int threads, Path outgoing,
                 Path indexCache) {
            this.storage = storage;
            this.index = index;
            this.packSize = packSize;
            this.threads = threads;
            this.outgoing = outgoing;
            this.indexCache = indexCache;
        }

        void send(Missing m) {
            clearOutgoing();
            try {
                List<Parallel.Task> tasks = new ArrayList<>();
                for (PackBuilder.Built b : build(sorted(m.blobs))) {
                    tasks.add(() -> upload(b));
                }
                Parallel.run(threads, tasks);
                List<ObjectId> ordered = new ArrayList<>(sorted(m.objects));
                ordered.addAll(m.trees);
                ordered.addAll(m.commits);
                for (PackBuilder.Built b : build(ordered)) {
                    upload(b);
                }
            } finally {
                clearOutgoing();
            }
        }

        private List<ObjectId> sorted(Set<ObjectId> ids) {
            List<ObjectId> list = new ArrayList<>(ids);
            Collections.sort(list);
            return list;
        }

        private List<PackBuilder.Built> build(List<ObjectId> ids) {
            List<PackBuilder.Built> out = new ArrayList<>();
            PackStore store = session.repository().store();
            PackBuilder builder = null;
            try {
                for (ObjectId id : ids) {
                    if (builder == null) {
                        builder = new PackBuilder(outgoing);
                    }
                    builder.add(store.storedRecord(id));
                    if (builder.size() >= packSize) {
                        out.add(builder.finish());
                        builder = null;
                    }
                }
                if (builder != null && builder.count() > 0) {
                    out.add(builder.finish());
                    builder = null;
                }
            } finally {
                if (builder != null) {
                    builder.close();
                }
            }
            return out;
        }

        private void upload(PackBuilder.Built b) {
            if (index.hasIndex(b.name())) {
                synchronized (this) {
                    packsReused++;
                }
                return;
            }
            boolean packArrived = index.packSize(b.name()) == b.packBytes();
            if (!packArrived) {
                storage.upload(RemoteIndex.PACKS + b.name() + ".pack", b.pack());
                bytes.addAndGet(b.packBytes());
            }
            storage.upload(RemoteIndex.PACKS + b.name() + ".idx", b.index());
            try {
                bytes.addAndGet(Files.size(b.index()));
                // The next push lists this index on the remote; a cached copy saves downloading it.
                writeCached(indexCache.resolve(b.name() + ".idx"), Files.readAllBytes(b.index()));
            } catch (IOException e) {
                throw StoreIOException.of(b.index(), e);
            }
            objects.addAndGet(b.objects());
            synchronized (this) {
                if (packArrived) {
                    packsReused++;
                } else {
                    packsUploaded++;
                }
            }
        }

        private void clearOutgoing() {
            if (!Files.isDirectory(outgoing)) {
                return;
            }
            try (var files = Files.list(outgoing)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                throw StoreIOException.of(outgoing, e);
            }
        }
    }
}
