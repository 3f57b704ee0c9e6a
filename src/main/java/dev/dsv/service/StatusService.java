package dev.dsv.service;

import dev.dsv.model.ObjectId;
import dev.dsv.repo.Stage;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code dsv status}: the stage against HEAD's tree. A tree diff, so it costs as much as the
 * staged change and never reads the user's folders.
 */
public final class StatusService {
    /** The summary of the stage: branch, HEAD, and counts per kind of change. */
    public record Status(String branch, ObjectId head, ObjectId stageTree, Map<Change.Kind, Integer> counts) {
        public int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final Session session;

    public StatusService(Session session) {
        this.session = session;
    }

    /** Computes the status and passes each change to {@code changes} (which may be null). */
    public Status status(Consumer<Change> changes) {
        ObjectId head = session.repository().headCommit();
        Stage stage = session.stage();
        Map<Change.Kind, Integer> counts = new EnumMap<>(Change.Kind.class);
        for (Change.Kind k : Change.Kind.values()) {
            counts.put(k, 0);
        }
        session.trees().diff(session.treeOf(head), stage.tree(), (path, before, after) -> {
            Change c = new Change(path, before, after);
            counts.merge(c.kind(), 1, Integer::sum);
            if (changes != null) {
                changes.accept(c);
            }
        });
        return new Status(session.repository().currentBranch(), head, stage.tree(), counts);
    }

    /** Returns every staged change, for callers that need them all at once. */
    public List<Change> changes() {
        List<Change> out = new java.util.ArrayList<>();
        status(out::add);
        return out;
    }
}
