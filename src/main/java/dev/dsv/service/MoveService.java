package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.Problem;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.ImageEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code dsv mv}: moves an image or a folder to another dataset path, keeping entries and labels. */
public final class MoveService {
    private final Session session;

    public MoveService(Session session) {
        this.session = session;
    }

    /** Moves {@code from} to {@code to}; returns the number of images moved. */
    public int move(String from, String to) {
        int[] moved = {0};
        StageEditor.edit(session, "mv", (stageTree, inserter, problems) -> {
            Map<String, ImageEntry> changes = new HashMap<>();
            String source;
            String target;
            try {
                source = DatasetPath.normalize(from.replaceAll("/+$", ""));
                target = DatasetPath.normalize(to.replaceAll("/+$", ""));
            } catch (DsvException e) {
                problems.add(new Problem("error.path.invalid", e.arguments()));
                return changes;
            }
            if (target.equals(source) || target.startsWith(source + "/")) {
                problems.add(new Problem("error.mv.intoItself", source, target));
                return changes;
            }
            if (session.trees().find(stageTree, target) != null) {
                problems.add(new Problem("error.mv.targetExists", target));
                return changes;
            }
            Map<String, ImageEntry> moving = StageEditor.expand(session, stageTree, List.of(source), problems);
            moving.forEach((path, entry) -> {
                changes.put(path, null);
                changes.put(target + path.substring(source.length()), entry);
            });
            moved[0] = moving.size();
            return changes;
        });
        return moved[0];
    }
}
