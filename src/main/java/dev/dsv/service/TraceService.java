package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code dsv trace MODEL}: where a model's data came from and what happened to it since: the
 * data commit, the branches and tags that contain it, the promotions that brought it into a
 * branch, the rollbacks of commits it contains, and the code commit.
 */
public final class TraceService {
    /** The trace of one model. */
    public record Trace(ModelService.Model model, List<String> containedIn, List<MetaRecord> promotions,
                        List<MetaRecord> rollbacks) {
    }

    private final Session session;

    public TraceService(Session session) {
        this.session = session;
    }

    public Trace trace(String name) {
        ModelService.Model model = new ModelService(session).find(name);
        if (model == null) {
            throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.model.notFound", name);
        }
        MergeService ancestry = new MergeService(session);
        ObjectId data = model.data();
        List<String> containedIn = new ArrayList<>();
        session.repository().refTargets().forEach((ref, head) -> {
            if (ancestry.isAncestor(data, head)) {
                containedIn.add(ref);
            }
        });
        List<MetaRecord> promotions = new ArrayList<>();
        for (MetaQuery.Entry e : MetaQuery.ofKind(session, MetaKinds.PROMOTION)) {
            Object candidate = e.record().body().get("candidate");
            boolean broughtIt = candidate != null && ancestry.isAncestor(data, ObjectId.parse(candidate.toString()))
                    && !isAncestorOfPrevious(ancestry, data, e.record());
            if (broughtIt) {
                promotions.add(e.record());
            }
        }
        List<MetaRecord> rollbacks = new ArrayList<>();
        for (MetaQuery.Entry e : MetaQuery.ofKind(session, MetaKinds.ROLLBACK)) {
            ObjectId undone = ObjectId.parse(String.valueOf(e.record().body().get("rolled_back")));
            if (ancestry.isAncestor(undone, data)) {
                rollbacks.add(e.record());
            }
        }
        return new Trace(model, containedIn, promotions, rollbacks);
    }

    /** Returns true when the target already contained the data before this promotion. */
    private static boolean isAncestorOfPrevious(MergeService ancestry, ObjectId data, MetaRecord promotion) {
        Object previous = promotion.body().get("previous");
        return previous != null && ancestry.isAncestor(data, ObjectId.parse(previous.toString()));
    }
}
