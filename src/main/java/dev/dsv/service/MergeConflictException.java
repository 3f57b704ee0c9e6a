package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import java.util.List;

/** A merge or rollback stopped by conflicting images; nothing was written. */
public final class MergeConflictException extends DsvException {
    private final List<MergeService.Conflict> conflicts;

    public MergeConflictException(List<MergeService.Conflict> conflicts,
                                  java.util.function.Function<dev.dsv.model.ObjectId, dev.dsv.model.LabelRecord> labels) {
        super(ExitCode.CONFLICT, "error.merge.conflicts", conflicts.size());
        this.conflicts = List.copyOf(conflicts);
        withProblems(conflicts.stream().limit(AddService.MAX_PROBLEMS)
                .map(c -> new Problem("error.merge.conflict", c.path(), describe(c.base(), labels),
                        describe(c.ours(), labels), describe(c.theirs(), labels)))
                .toList());
    }

    public List<MergeService.Conflict> conflicts() {
        return conflicts;
    }

    /** Describes one side: its defects and labeler, then the ids, so the difference is visible. */
    private static String describe(dev.dsv.model.ImageEntry e,
                                   java.util.function.Function<dev.dsv.model.ObjectId, dev.dsv.model.LabelRecord> labels) {
        if (e == null) {
            return "removed";
        }
        dev.dsv.model.LabelRecord r = labels.apply(e.label());
        String defects = r.defectTypes().isEmpty() ? "no defect" : String.join("+", r.defectTypes());
        return defects + " by " + r.labeler() + ", split " + (e.split() == null ? "none" : e.split())
                + " (label " + e.label().abbreviate(12) + ", image " + e.blob().abbreviate(12) + ")";
    }
}
