package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.leakage.DescriptorBatch;
import dev.dsv.leakage.DescriptorCache;
import dev.dsv.leakage.GroupKey;
import dev.dsv.leakage.LeakageCheck;
import dev.dsv.leakage.LeakageScan;
import dev.dsv.leakage.SplitFinding;
import dev.dsv.model.ObjectId;
import dev.dsv.policy.Policy;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code dsv leakage} and {@code dsv descriptors}: the leakage checks of one commit, and the batch
 * pass that computes the descriptors of a commit's blobs. Neither takes the writer lock: they
 * read objects and write only the descriptor cache, which SQLite keeps consistent on its own.
 */
public final class LeakageService {
    /**
     * What to check. A null group key falls back to the policy setting {@code leakage.group_key}
     * of the current branch (no group check when that is empty too); a null minimum correlation
     * falls back to {@code leakage.near_min_correlation}, a null minimum residual correlation to
     * {@code leakage.near_min_residual}.
     */
    public record Request(String revision, GroupKey groupKey, Double minCorrelation, Double minResidual, boolean near) {
    }

    /** The findings of every kind; {@code groupKey} and {@code near} are null when that check did not run. */
    public record Result(ObjectId commit, LeakageScan scan, String groupKey, List<SplitFinding> exactDuplicates,
                         List<SplitFinding> groupLeaks, List<SplitFinding> generatorLeaks,
                         LeakageCheck.NearReport near) {
        /** Returns true when any check found leakage or a blob could not be decoded. */
        public boolean leaks() {
            return !exactDuplicates.isEmpty() || !groupLeaks.isEmpty() || !generatorLeaks.isEmpty()
                    || (near != null && (!near.pairs().isEmpty() || near.descriptors().failed() > 0));
        }
    }

    /** What {@code dsv descriptors} did. */
    public record DescriptorsResult(ObjectId commit, int images, DescriptorBatch.Result batch, String cache) {
    }

    private final Session session;

    public LeakageService(Session session) {
        this.session = session;
    }

    public Result check(Request r, Progress progress) {
        ObjectId commit = session.resolve(r.revision() == null ? "HEAD" : r.revision());
        ObjectId tree = session.treeOf(commit);
        Policy policy = new PolicyService(session).inForce(session.repository().currentBranch());
        GroupKey key = r.groupKey();
        if (key == null && !policy.text("leakage.group_key").isBlank()) {
            key = GroupKey.parse(policy.text("leakage.group_key"));
        }
        LeakageScan scan = LeakageCheck.scan(visitor -> session.trees().walk(tree, visitor::accept),
                session.repository().config().splits().values(), key);
        if (key != null && scan.imagesInSplits() > 0 && scan.unkeyed() == scan.imagesInSplits()) {
            // Not one image has a key: a misspelt attribute or pattern, which would pass silently.
            throw new DsvException(ExitCode.INVALID_INPUT, "error.leakage.noKeyedImage", key, scan.imagesInSplits());
        }
        LeakageCheck.NearReport near = null;
        if (r.near()) {
            double min = r.minCorrelation() != null ? r.minCorrelation()
                    : policy.decimal("leakage.near_min_correlation").doubleValue();
            double minResidual = r.minResidual() != null ? r.minResidual()
                    : policy.decimal("leakage.near_min_residual").doubleValue();
            near = LeakageCheck.near(scan, session.repository().store(), session.repository().dsvDir(), min,
                    minResidual, progress);
        }
        return new Result(commit, scan, key == null ? null : key.toString(), scan.exactDuplicates(), scan.groupLeaks(),
                scan.generatorLeaks(), near);
    }

    /** Computes the missing descriptors of every blob of a commit, on all cores. */
    public DescriptorsResult descriptors(String revision, Progress progress) {
        ObjectId commit = session.resolve(revision == null ? "HEAD" : revision);
        Set<ObjectId> blobs = new LinkedHashSet<>();
        int[] images = {0};
        session.trees().walk(session.treeOf(commit), (path, e) -> {
            images[0]++;
            blobs.add(e.blob());
        });
        try (DescriptorCache cache = DescriptorCache.open(session.repository().dsvDir())) {
            DescriptorBatch.Result batch = new DescriptorBatch(session.repository().store(), cache).ensure(blobs, progress);
            return new DescriptorsResult(commit, images[0], batch, cache.file().toString());
        }
    }
}
