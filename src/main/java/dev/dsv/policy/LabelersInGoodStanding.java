package dev.dsv.policy;

import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.quality.PeopleRegistry;
import dev.dsv.quality.Person;
import dev.dsv.service.MetaKinds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * No added or changed image carries a label record whose labeler was paused at its labeled-at
 * time, unless a verifier passed that very record in review (a {@code review-decision} record
 * with decision {@code pass} about it). Labelers that no {@code person} record names are never
 * paused. A change of image facts alone also counts, so the label record in force is checked for
 * every image the promotion adds or changes.
 */
final class LabelersInGoodStanding implements Gate {
    @Override
    public String name() {
        return "labelers-in-good-standing";
    }

    @Override
    public GateResult check(PromotionCandidate c) {
        PeopleRegistry registry = PeopleRegistry.fromRecords(c.meta().apply(MetaKinds.PERSON), c.config().timeZone());
        Set<ObjectId> passedInReview = new HashSet<>();
        for (MetaRecord r : c.meta().apply(MetaKinds.REVIEW_DECISION)) {
            if (r.subject() != null && "pass".equals(r.body().get("decision"))) {
                passedInReview.add(r.subject());
            }
        }
        List<String> bad = new ArrayList<>();
        int[] checked = {0};
        c.changedImages().forEach((path, e) -> {
            if (e == null) {
                return;
            }
            checked[0]++;
            LabelRecord label = c.labels().apply(e.label());
            Optional<Person> pause = registry.pauseAt(label.labeler(), label.labeledAt());
            if (pause.isPresent() && !passedInReview.contains(e.label())) {
                bad.add(path + ": labeler " + label.labeler() + " labeled at " + Times.format(label.labeledAt())
                        + " while paused until " + pause.get().pausedUntil() + " (" + pause.get().pauseReason() + ")");
            }
        });
        return new GateResult(name(), bad.isEmpty(),
                "no label record comes from a labeler paused at its labeled-at time (dsv people), unless passed in review",
                checked[0], bad.size(), bad);
    }
}
