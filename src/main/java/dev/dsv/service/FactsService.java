package dev.dsv.service;

import dev.dsv.error.Problem;
import dev.dsv.model.ImageEntry;
import dev.dsv.repo.RepositoryConfig;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** {@code dsv set}: changes image facts (split, cell type, source, attributes) and keeps labels. */
public final class FactsService {
    /**
     * The facts to change; null leaves a fact as it is. {@code split} "none" clears the split.
     * {@code setAttributes} are added or replaced, {@code unsetAttributes} removed.
     */
    public record Request(List<String> paths, String split, String cellType, String source,
                          Map<String, String> setAttributes, List<String> unsetAttributes) {
    }

    private final Session session;

    public FactsService(Session session) {
        this.session = session;
    }

    /** Applies the request to every image at or under the paths; returns the changed count. */
    public int set(Request r) {
        RepositoryConfig c = session.repository().config();
        return StageEditor.edit(session, "set", (stageTree, inserter, problems) -> {
            String split = r.split() == null || r.split().equalsIgnoreCase("none") ? null
                    : c.splits().require(r.split(), "--split");
            String cellType = r.cellType() == null ? null : c.cellTypes().require(r.cellType(), "--cell-type");
            String source = r.source() == null ? null : c.sources().require(r.source(), "--source");
            if ("synthetic".equals(source)) {
                problems.add(new Problem("error.set.syntheticNeedsAdd"));
            }
            Map<String, ImageEntry> targets = StageEditor.expand(session, stageTree, r.paths(), problems);
            Map<String, ImageEntry> changes = new TreeMap<>();
            targets.forEach((path, e) -> {
                SortedMap<String, String> attributes = dev.dsv.model.CanonicalJson.newObject();
                attributes.putAll(e.attributes());
                attributes.putAll(r.setAttributes());
                r.unsetAttributes().forEach(attributes::remove);
                String newSource = source == null ? e.source() : source;
                String generator = "synthetic".equals(newSource) ? e.generator() : null;
                ImageEntry next = new ImageEntry(e.blob(), e.label(), cellType == null ? e.cellType() : cellType,
                        newSource, generator, r.split() == null ? e.split() : split, attributes, e.features());
                if (!next.equals(e)) {
                    changes.put(path, next);
                }
            });
            return changes;
        });
    }
}
