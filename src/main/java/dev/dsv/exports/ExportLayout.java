package dev.dsv.exports;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Names and path rules of an export folder (see docs/design.md, "Export"). */
final class ExportLayout {
    static final String METADATA = "dsv-export.json";
    static final Set<String> RESERVED = Set.of(METADATA, ManifestFormat.CSV.fileName(), ManifestFormat.JSONL.fileName());
    static final List<String> CSV_COLUMNS = List.of("dataset_path", "sha256", "cell_type", "defects", "regions", "split",
            "source", "generator", "confidence", "labeler", "labeled_at", "commit");

    private ExportLayout() {
    }

    /**
     * Returns where a dataset path goes inside {@code root}, and refuses any path that would land
     * outside it or on a reserved name. Dataset paths are validated when added, so this is a
     * second line of defence.
     */
    static Path target(Path root, String datasetPath) {
        if (RESERVED.contains(datasetPath)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.reservedName", datasetPath);
        }
        Path target = root.resolve(datasetPath).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.outside", datasetPath, root);
        }
        return target;
    }
}
