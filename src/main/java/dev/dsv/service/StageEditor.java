package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.repo.Stage;
import dev.dsv.store.ObjectStore;
import java.util.List;
import java.util.Map;

/**
 * Applies a computed set of changes to the stage under the writer lock: the edit commands
 * (label, set, rm, mv) share it. The planner gets the current stage and an inserter for new
 * objects (label records). Nothing is visible unless the whole edit succeeds.
 */
final class StageEditor {
    /** Computes the changes of one edit: dataset path to new entry, or to null for a removal. */
    @FunctionalInterface
    interface Planner {
        Map<String, ImageEntry> plan(ObjectId stageTree, ObjectStore.Inserter inserter, List<Problem> problems);
    }

    private StageEditor() {
    }

    /** Runs one edit and returns the number of changed paths. */
    static int edit(Session session, String command, Planner planner) {
        return edit(session, command, planner, () -> { });
    }

    /**
     * Runs one edit; {@code beforeStageWrite} runs under the lock after the new objects are
     * flushed and before the stage moves, and only when the edit changes something.
     */
    static int edit(Session session, String command, Planner planner, Runnable beforeStageWrite) {
        try (RepositoryLock lock = session.lock(command);
             ObjectStore.Inserter inserter = session.repository().store().newInserter()) {
            Stage stage = session.stage();
            List<Problem> problems = new java.util.ArrayList<>();
            Map<String, ImageEntry> changes = planner.plan(stage.tree(), inserter, problems);
            if (!problems.isEmpty()) {
                List<Problem> shown = problems.size() > AddService.MAX_PROBLEMS
                        ? problems.subList(0, AddService.MAX_PROBLEMS) : problems;
                throw new DsvException(ExitCode.INVALID_INPUT, "error.edit.rejected", command, problems.size())
                        .withProblems(shown);
            }
            if (changes.isEmpty()) {
                return 0;
            }
            ObjectId tree = session.trees().apply(stage.tree(), changes, inserter);
            inserter.flush();
            beforeStageWrite.run();
            session.repository().writeStage(new Stage(stage.base(), tree));
            return changes.size();
        }
    }

    /**
     * Returns the images at each given dataset path (an image, or all images under a folder),
     * adding a problem for a path the stage does not have.
     */
    static Map<String, ImageEntry> expand(Session session, ObjectId stageTree, List<String> paths, List<Problem> problems) {
        Map<String, ImageEntry> out = new java.util.TreeMap<>(dev.dsv.model.CanonicalJson.CODE_POINT_ORDER);
        for (String raw : paths) {
            String path;
            try {
                path = DatasetPath.normalize(raw.replaceAll("/+$", ""));
            } catch (DsvException e) {
                problems.add(new Problem("error.path.invalid", raw, e.arguments()[1]));
                continue;
            }
            Map<String, ImageEntry> found = session.trees().imagesAt(stageTree, path);
            if (found.isEmpty()) {
                problems.add(new Problem("error.edit.pathNotStaged", path));
            }
            out.putAll(found);
        }
        return out;
    }
}
