package dev.dsv.policy;

import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryConfig;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A planned promotion, as gates see it. It lists the commits being promoted and the images the
 * merged snapshot adds or changes against the target (path to new entry). It also carries the
 * verified commits (derived from sampled review) with the review status of every promoted
 * commit, the configuration, the policies of the target and the candidate branch, the whole
 * merged snapshot (for gates about the library as a whole, such as split ratios and
 * leakage), the metadata log by kind, and the time of the check. {@code repository} gives
 * gates that need pixels the object store and the descriptor cache; gates must not change the
 * repository through it.
 */
public record PromotionCandidate(
        String branch,
        String target,
        List<ObjectId> commits,
        Map<String, ImageEntry> changedImages,
        Set<ObjectId> verifiedCommits,
        RepositoryConfig config,
        Function<ObjectId, LabelRecord> labels,
        Policy targetPolicy,
        Policy candidatePolicy,
        Snapshot snapshot,
        Function<String, List<MetaRecord>> meta,
        OffsetDateTime now,
        Map<ObjectId, String> reviewStatus,
        Repository repository) {

    /** The tree the target would point at after the promotion. */
    public interface Snapshot {
        /** The root tree id of the merged snapshot. */
        ObjectId tree();

        /** Calls the action for every image of the snapshot, in tree order. */
        void forEachImage(BiConsumer<String, ImageEntry> action);
    }
}
