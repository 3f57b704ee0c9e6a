package dev.dsv.service;

import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.store.ObjectStore;

/**
 * The rule for new label records of images already in the library: a record supersedes the one
 * in force in the last commit (HEAD), never a record that was only staged, so the chain of
 * superseded records consists of committed judgements. A judgement equal to HEAD's (a staged
 * relabel taken back) reuses HEAD's record instead of writing a new one.
 */
final class Relabels {
    private Relabels() {
    }

    /**
     * Returns the id of the label record for {@code draft} at {@code path}, writing a new record
     * when needed. {@code explicitTime} is true when the user gave the draft's time.
     */
    static ObjectId newRecord(Session session, ObjectId headTree, String path, LabelRecord draft, boolean explicitTime,
                              ObjectStore.Inserter inserter) {
        ImageEntry committed = session.trees().lookup(headTree, path);
        if (committed != null && committed.blob().equals(draft.image())) {
            LabelRecord inForce = session.readLabel(committed.label());
            if (draft.sameJudgement(inForce) && (!explicitTime || draft.labeledAt().equals(inForce.labeledAt()))) {
                return committed.label();
            }
            return inserter.insert(ObjectType.LABEL, draft.withSupersedes(committed.label()).encode());
        }
        return inserter.insert(ObjectType.LABEL, draft.encode());
    }
}
