package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.ingest.FeatureFile;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.FeatureVector;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.Repository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code dsv features import} and {@code dsv features rm}: sets or removes the feature vectors of
 * staged images, as {@code dsv set} changes facts. Each vector is a {@code vector} object named
 * from the image entry; blobs and label records stay. See docs/design.md, "Feature vectors and
 * format version 3".
 */
public final class FeaturesService {
    /** The outcome of an import: good rows read, images whose vector changed, and the dimension. */
    public record ImportResult(String name, int rows, int changed, int dimensions) {
    }

    /** A good row of the file after its vector was stored (not yet flushed). */
    private record StoredRow(String where, String path, String sha256, ObjectId vector) {
    }

    private final Session session;

    public FeaturesService(Session session) {
        this.session = session;
    }

    /** Rejects a feature-set name outside {@link FeatureVector#SET_NAME}, with exit 3. */
    public static String requireName(String name) {
        if (name == null || !FeatureVector.SET_NAME.matcher(name).matches()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.features.name", String.valueOf(name));
        }
        return name;
    }

    /**
     * Imports one vector per row of {@code file} under feature set {@code name}. Every row is
     * checked before the stage moves; any problem rejects the whole file and leaves the
     * repository as it was.
     */
    public ImportResult importFile(Path file, String name) {
        requireName(name);
        session.repository().requireFormat(Repository.FEATURES_FORMAT, "feature vectors");
        FeatureFile reader = new FeatureFile(file);
        int[] rowCount = {0};
        int changed = StageEditor.edit(session, "features import", (stageTree, inserter, problems) -> {
            List<StoredRow> rows = new ArrayList<>();
            reader.read(row -> rows.add(new StoredRow(row.where(), row.path(), row.sha256(),
                    inserter.insert(ObjectType.VECTOR, row.vector().encode()))), problems);
            rowCount[0] = rows.size();
            if (rows.isEmpty() && problems.isEmpty()) {
                problems.add(new Problem("error.features.noRows", file));
            }
            Map<String, ObjectId> vectors = resolve(stageTree, rows, problems);
            if (!problems.isEmpty()) {
                return Map.of();
            }
            checkKeptDimension(stageTree, name, vectors, reader, problems);
            Map<String, ImageEntry> changes = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
            vectors.forEach((path, vector) -> {
                ImageEntry entry = session.trees().lookup(stageTree, path);
                SortedMap<String, ObjectId> features = CanonicalJson.newObject();
                features.putAll(entry.features());
                features.put(name, vector);
                if (!features.equals(entry.features())) {
                    changes.put(path, entry.withFeatures(features));
                }
            });
            return changes;
        });
        return new ImportResult(name, rowCount[0], changed, reader.dimensions());
    }

    /**
     * Returns the vector of each dataset path the rows name. A {@code sha256} row names every
     * staged path holding that blob. Unknown keys and paths named twice are problems.
     */
    private Map<String, ObjectId> resolve(ObjectId stageTree, List<StoredRow> rows, List<Problem> problems) {
        Map<String, List<String>> pathsByBlob = null;
        Map<String, ObjectId> vectors = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        Map<String, String> firstRow = new HashMap<>();
        for (StoredRow row : rows) {
            List<String> paths = new ArrayList<>();
            if (row.path() != null) {
                String path;
                try {
                    path = DatasetPath.normalize(row.path());
                } catch (DsvException e) {
                    problems.add(new Problem("error.features.invalidPath", row.where(), row.path(), e.arguments()[1]));
                    continue;
                }
                if (session.trees().lookup(stageTree, path) == null) {
                    problems.add(new Problem("error.features.pathNotStaged", row.where(), path));
                    continue;
                }
                paths.add(path);
            } else {
                String sha = row.sha256().toLowerCase(Locale.ROOT);
                if (pathsByBlob == null) {
                    pathsByBlob = pathsByBlob(stageTree);
                }
                List<String> found = ObjectId.isValidHex(sha) ? pathsByBlob.get(sha) : null;
                if (found == null) {
                    problems.add(new Problem("error.features.blobNotStaged", row.where(), row.sha256()));
                    continue;
                }
                paths.addAll(found);
            }
            for (String path : paths) {
                String earlier = firstRow.putIfAbsent(path, row.where());
                if (earlier != null) {
                    problems.add(new Problem("error.features.duplicate", row.where(), path, earlier));
                } else {
                    vectors.put(path, row.vector());
                }
            }
        }
        return vectors;
    }

    /**
     * Adds a problem when staged images that keep their vector of {@code name} (the file does
     * not name them) have another dimension than the file. Earlier imports passed the same check,
     * so one such image stands for all of them.
     */
    private void checkKeptDimension(ObjectId stageTree, String name, Map<String, ObjectId> imported,
                                    FeatureFile reader, List<Problem> problems) {
        String[] keptPath = {null};
        ObjectId[] keptVector = {null};
        session.trees().walk(stageTree, (path, entry) -> {
            ObjectId vector = entry.features().get(name);
            if (keptPath[0] == null && vector != null && !imported.containsKey(path)) {
                keptPath[0] = path;
                keptVector[0] = vector;
            }
        });
        if (keptPath[0] == null) {
            return;
        }
        int existing = session.readVector(keptVector[0]).dimensions();
        if (existing != reader.dimensions()) {
            problems.add(new Problem("error.features.dimensionMismatch", reader.firstRow(), reader.dimensions(),
                    name, existing, keptPath[0]));
        }
    }

    private Map<String, List<String>> pathsByBlob(ObjectId stageTree) {
        Map<String, List<String>> out = new HashMap<>();
        session.trees().walk(stageTree, (path, e) -> out.computeIfAbsent(e.blob().hex(), k -> new ArrayList<>()).add(path));
        return out;
    }

    /**
     * Removes feature set {@code name} from the staged images at or under {@code paths}, or from
     * every staged image when {@code paths} is empty; returns the number of images changed.
     */
    public int remove(String name, List<String> paths) {
        requireName(name);
        return StageEditor.edit(session, "features rm", (stageTree, inserter, problems) -> {
            Map<String, ImageEntry> targets;
            if (paths.isEmpty()) {
                targets = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
                session.trees().walk(stageTree, targets::put);
            } else {
                targets = StageEditor.expand(session, stageTree, paths, problems);
            }
            Map<String, ImageEntry> changes = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
            targets.forEach((path, entry) -> {
                if (entry.features().containsKey(name)) {
                    SortedMap<String, ObjectId> features = CanonicalJson.newObject();
                    features.putAll(entry.features());
                    features.remove(name);
                    changes.put(path, entry.withFeatures(features));
                }
            });
            return changes;
        });
    }

    /** Returns the vectors of an image by feature-set name, read and checked from the store. */
    public Map<String, FeatureVector> vectors(ImageEntry entry) {
        Map<String, FeatureVector> out = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        entry.features().forEach((set, id) -> out.put(set, session.readVector(id)));
        return out;
    }
}
