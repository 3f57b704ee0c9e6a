package dev.dsv.policy;

import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.RepositoryConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A planned promotion, as gates see it. It lists the commits being promoted and the images the
 * merged snapshot adds or changes against the target (path to new entry). It also carries the
 * verified commits, the configuration, and the policies of the target and the candidate branch.
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
        Policy candidatePolicy) {
}
