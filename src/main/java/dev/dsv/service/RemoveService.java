package dev.dsv.service;

import dev.dsv.index.ImageFilter;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code dsv rm}: removes images from the next commit; history keeps them. */
public final class RemoveService {
    private final Session session;

    public RemoveService(Session session) {
        this.session = session;
    }

    /** Removes the images at or under the paths; returns the removed count. */
    public int remove(List<String> paths) {
        return StageEditor.edit(session, "rm", (stageTree, inserter, problems) -> {
            Map<String, ImageEntry> changes = new HashMap<>();
            StageEditor.expand(session, stageTree, paths, problems).keySet().forEach(p -> changes.put(p, null));
            return changes;
        });
    }

    /**
     * Removes every staged image that matches all given filter fields (the filter must set at
     * least one); returns the removed count. Walks the whole stage.
     */
    public int removeWhere(ImageFilter raw) {
        ImageFilter f = new LsService(session).normalize(raw);
        return StageEditor.edit(session, "rm", (stageTree, inserter, problems) -> {
            Map<String, ImageEntry> changes = new HashMap<>();
            session.trees().walk(stageTree, (path, e) -> {
                if (matches(f, path, e)) {
                    changes.put(path, null);
                }
            });
            return changes;
        });
    }

    private boolean matches(ImageFilter f, String path, ImageEntry e) {
        LabelRecord label = f.defect() == null ? null : session.readLabel(e.label());
        return DiffService.matches(f, path, e, label);
    }
}
