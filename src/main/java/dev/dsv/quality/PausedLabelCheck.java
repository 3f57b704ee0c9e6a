package dev.dsv.quality;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.policy.Policy;
import dev.dsv.service.Identity;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Session;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The check of new label records against labeler pauses, for the commands that stage labels
 * (add, label import, label set). The policy setting {@code labeler.paused_labels} of the current
 * branch decides: {@code refuse} turns each label of a paused labeler into a problem, so the
 * command stages nothing; {@code full-review} lets the labels through and collects one
 * {@code full-review} mark per label record, which the caller writes with {@link #writeMarks()}.
 */
public final class PausedLabelCheck {
    /** Setting value: labels of a paused labeler are rejected. */
    public static final String REFUSE = "refuse";
    /** Setting value: labels of a paused labeler are staged and marked for a full review. */
    public static final String FULL_REVIEW = "full-review";
    /** The policy setting that chooses between the two. */
    public static final String SETTING = "labeler.paused_labels";

    private final Session session;
    private final PeopleRegistry registry;
    private final boolean refuse;
    private final List<MetaRecord> marks = new ArrayList<>();

    private PausedLabelCheck(Session session, PeopleRegistry registry, boolean refuse) {
        this.session = session;
        this.registry = registry;
        this.refuse = refuse;
    }

    /** Builds the check from the people registry and the policy in force on the current branch. */
    public static PausedLabelCheck forCurrentBranch(Session session) {
        Policy policy = new PolicyService(session).inForce(session.repository().currentBranch());
        String mode = policy.text(SETTING);
        if (!mode.equals(REFUSE) && !mode.equals(FULL_REVIEW)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.people.pausedLabelsSetting", mode, SETTING,
                    REFUSE + ", " + FULL_REVIEW);
        }
        return new PausedLabelCheck(session, PeopleRegistry.load(session), mode.equals(REFUSE));
    }

    /**
     * Checks one label record before it is staged. Returns false, after adding a problem that
     * names {@code where}, when the labeler was paused at {@code labeledAt} and the policy refuses
     * such labels; returns true otherwise. Under {@code full-review}, call {@link #mark} with the
     * record's id once it is known.
     */
    public boolean accept(String labeler, OffsetDateTime labeledAt, String where, List<Problem> problems) {
        Optional<Person> pause = registry.pauseAt(labeler, labeledAt);
        if (pause.isEmpty() || !refuse) {
            return true;
        }
        problems.add(new Problem("error.people.pausedLabel", where, labeler, Times.format(labeledAt),
                pause.get().pausedUntil(), pause.get().pauseReason()));
        return false;
    }

    /** Collects a full-review mark for a label record when its labeler was paused at its time. */
    public void mark(ObjectId labelRecord, String labeler, OffsetDateTime labeledAt) {
        Optional<Person> pause = registry.pauseAt(labeler, labeledAt);
        if (pause.isEmpty() || refuse) {
            return;
        }
        Map<String, Object> body = Map.of("labeler", labeler,
                "reason", "labeled at " + Times.format(labeledAt) + " while paused until " + pause.get().pausedUntil()
                        + ": " + pause.get().pauseReason());
        marks.add(new MetaRecord(MetaKinds.FULL_REVIEW, labelRecord, Identity.committer(session.repository().config()), Times.now(), body));
    }

    /** Returns the number of marks collected and not yet written. */
    public int pendingMarks() {
        return marks.size();
    }

    /** Appends the collected marks to the metadata log; the caller holds the writer lock. */
    public int writeMarks() {
        for (MetaRecord r : marks) {
            session.repository().metadataLog().append(r);
        }
        int n = marks.size();
        marks.clear();
        return n;
    }
}
