package dev.dsv.service;

import dev.dsv.ingest.ImageSize;
import dev.dsv.ingest.StagedImages;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The images of one stage tree, with sizes read from their blobs on first use. */
final class StageImages implements StagedImages {
    private final Session session;
    private final ObjectId tree;
    private final Map<String, ImageSize> sizes = new HashMap<>();
    private Map<String, List<String>> byStem;
    private Map<String, List<String>> byFileName;

    StageImages(Session session, ObjectId tree) {
        this.session = session;
        this.tree = tree;
    }

    @Override
    public boolean contains(String datasetPath) {
        return session.trees().lookup(tree, datasetPath) != null;
    }

    @Override
    public ImageSize size(String datasetPath) {
        return sizes.computeIfAbsent(datasetPath, p -> {
            ImageEntry entry = session.trees().lookup(tree, p);
            return ImageSize.ofBlob(session.repository().store(), entry.blob());
        });
    }

    @Override
    public List<String> pathsWithStem(String stem) {
        if (byStem == null) {
            byStem = new HashMap<>();
            session.trees().walk(tree, (path, e) -> byStem.computeIfAbsent(stemOf(path), k -> new ArrayList<>()).add(path));
        }
        return byStem.getOrDefault(stem, List.of());
    }

    @Override
    public List<String> pathsWithFileName(String fileName) {
        if (byFileName == null) {
            byFileName = new HashMap<>();
            session.trees().walk(tree, (path, e) -> byFileName
                    .computeIfAbsent(path.substring(path.lastIndexOf('/') + 1), k -> new ArrayList<>()).add(path));
        }
        return byFileName.getOrDefault(fileName, List.of());
    }

    /** Drops the file extension of the last path segment, if it has one. */
    static String stemOf(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash + 1 ? path.substring(0, dot) : path;
    }
}
