package dev.dsv.service;

import dev.dsv.exports.LinkCache;
import dev.dsv.model.Commit;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.store.ObjectState;
import dev.dsv.store.PackStore;
import dev.dsv.tree.TreeEntry;
import dev.dsv.tree.TreeNode;
import dev.dsv.tree.Trees;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dsv gc}: deletes objects that nothing reaches, after a grace period, and merges packs.
 * Live objects are those reachable from every branch, the stage and the metadata log (records,
 * their subjects and object ids in their bodies), plus the label records that live records
 * supersede. The blob, label record and feature vectors of every live image entry are live. See docs/design.md, "Garbage collection".
 */
public final class GcService {
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    private static final Pattern OBJECT_ID = Pattern.compile("\\b[0-9a-f]{64}\\b");

    /** One object gc deleted or would delete. */
    public record Garbage(ObjectId id, String type, long size) {
    }

    /** The outcome of a gc run (or, in a dry run, the planned outcome). */
    public record Result(boolean dryRun, int live, List<Garbage> garbage, long bytesFreed, int keptInGrace,
                         int packsBefore, int packsAfter, int linkCacheFiles) {
    }

    private final Session session;
    private final Set<ObjectId> live = new HashSet<>();

    public GcService(Session session) {
        this.session = session;
    }

    public Result gc(boolean dryRun, Duration grace) {
        try (RepositoryLock lock = session.lock("gc")) {
            mark();
            PackStore store = session.repository().store();
            long cutoff = System.currentTimeMillis() - grace.toMillis();
            List<PackStore.PackFile> packs = store.publishedPacks();
            List<Path> old = new ArrayList<>();
            List<Garbage> garbage = new ArrayList<>();
            Set<ObjectId> garbageIds = new HashSet<>();
            int[] keptInGrace = {0};
            for (PackStore.PackFile p : packs) {
                boolean isOld = p.modifiedMillis() < cutoff;
                if (isOld) {
                    old.add(p.file());
                }
                store.forEachInPack(p.file(), (id, type, size) -> {
                    if (live.contains(id)) {
                        return;
                    }
                    if (!isOld) {
                        keptInGrace[0]++;
                    } else if (garbageIds.add(id)) {
                        garbage.add(new Garbage(id, ObjectType.fromCode(type).jsonName(), size));
                    }
                });
            }
            long bytes = garbage.stream().mapToLong(Garbage::size).sum();
            int linkFiles = 0;
            int packsAfter = packs.size();
            if (!dryRun) {
                if (!garbage.isEmpty() || old.size() > 1) {
                    store.repack(old, id -> !garbageIds.contains(id));
                    packsAfter = store.publishedPacks().size();
                }
                linkFiles = new LinkCache(session.repository().dsvDir().resolve("objects"), store).clear();
            }
            return new Result(dryRun, live.size(), garbage, bytes, keptInGrace[0], packs.size(), packsAfter, linkFiles);
        }
    }

    private void mark() {
        var repo = session.repository();
        Deque<ObjectId> commits = new ArrayDeque<>();
        commits.addAll(repo.refTargets().values());
        while (!commits.isEmpty()) {
            ObjectId id = commits.pop();
            if (!live.add(id)) {
                continue;
            }
            Commit c = session.readCommit(id);
            markTree(c.tree());
            commits.addAll(c.parents());
        }
        markTree(session.stage().tree());
        for (ObjectId id : repo.metadataLog().ids()) {
            live.add(id);
            MetaRecord r = repo.metadataLog().read(id);
            if (r.subject() != null) {
                markAny(r.subject());
            }
            Matcher m = OBJECT_ID.matcher(String.valueOf(r.body()));
            while (m.find()) {
                markAny(ObjectId.parse(m.group()));
            }
        }
    }

    /** Marks an id named by a metadata record: a commit with its history, or any other object. */
    private void markAny(ObjectId id) {
        var store = session.repository().store();
        if (store.state(id) != ObjectState.PRESENT || live.contains(id)) {
            return;
        }
        switch (store.type(id)) {
            case COMMIT -> {
                Deque<ObjectId> todo = new ArrayDeque<>(List.of(id));
                while (!todo.isEmpty()) {
                    ObjectId c = todo.pop();
                    if (live.add(c)) {
                        Commit commit = session.readCommit(c);
                        markTree(commit.tree());
                        todo.addAll(commit.parents());
                    }
                }
            }
            case TREE -> markTree(id);
            case LABEL -> markLabel(id);
            default -> live.add(id);
        }
    }

    private void markTree(ObjectId id) {
        if (id == null || id.equals(Trees.EMPTY_TREE) || !live.add(id)) {
            return;
        }
        TreeNode node = session.trees().read(id);
        if (node instanceof TreeNode.Buckets b) {
            b.children().values().forEach(this::markTree);
            return;
        }
        for (TreeEntry e : ((TreeNode.Flat) node).entries()) {
            if (e.isFolder()) {
                markTree(e.tree());
            } else {
                live.add(e.image().blob());
                live.addAll(e.image().features().values());
                markLabel(e.image().label());
            }
        }
    }

    /** Marks a label record and the records it supersedes, so a relabel's history stays whole. */
    private void markLabel(ObjectId id) {
        ObjectId next = id;
        while (next != null && live.add(next)) {
            if (session.repository().store().state(next) != ObjectState.PRESENT) {
                return;
            }
            LabelRecord r = session.readLabel(next);
            next = r.supersedes();
        }
    }
}
