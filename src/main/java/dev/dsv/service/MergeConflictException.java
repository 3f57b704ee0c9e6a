package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import java.util.List;

/** A merge or rollback stopped by conflicting images; nothing was written. */
public final class MergeConflictException extends DsvException {
    private final List<MergeService.Conflict> conflicts;

    public MergeConflictException(List<MergeService.Conflict> conflicts) {
        super(ExitCode.CONFLICT, "error.merge.conflicts", conflicts.size());
        this.conflicts = List.copyOf(conflicts);
        withProblems(conflicts.stream().limit(AddService.MAX_PROBLEMS)
                .map(c -> new Problem("error.merge.conflict", c.path(), describe(c.base()), describe(c.ours()),
                        describe(c.theirs())))
                .toList());
    }

    public List<MergeService.Conflict> conflicts() {
        return conflicts;
    }

    private static String describe(dev.dsv.model.ImageEntry e) {
        return e == null ? "removed" : "label " + e.label().abbreviate(12) + ", image " + e.blob().abbreviate(12)
                + ", split " + (e.split() == null ? "none" : e.split());
    }
}
