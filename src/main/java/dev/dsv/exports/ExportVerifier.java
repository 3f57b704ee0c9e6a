package dev.dsv.exports;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.index.ImageRow;
import dev.dsv.ingest.ImageSize;
import dev.dsv.model.ObjectId;
import dev.dsv.service.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code dsv export --verify DIR}: checks an export folder against the commit and filter it was
 * made from, recomputed from the repository, so a changed manifest cannot hide a changed file.
 */
public final class ExportVerifier {
    /** Differences found; an empty report means the folder is exactly the export. */
    public record Report(Path dir, String commit, int images, List<String> missing, List<String> modified,
                         List<String> extra, boolean manifestDiffers, boolean incomplete) {
        public boolean ok() {
            return missing.isEmpty() && modified.isEmpty() && extra.isEmpty() && !manifestDiffers && !incomplete;
        }
    }

    private final Session session;

    public ExportVerifier(Session session) {
        this.session = session;
    }

    public Report verify(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.notAnExport", root, ExportLayout.METADATA);
        }
        ExportService.Metadata meta = ExportService.readMetadata(root);
        String repositoryId = session.repository().config().repositoryId();
        if (meta.repository() != null && repositoryId != null && !meta.repository().equals(repositoryId)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.otherRepository", root);
        }
        ExportService.Selection selection = new ExportService(session, dev.dsv.service.Progress.NONE).recorded(meta);
        List<String> missing = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        Map<String, Boolean> expected = new HashMap<>();
        ExportShape shape = meta.shape();
        try {
            Map<String, ImageSize> sizes = new HashMap<>();
            for (ImageRow row : selection.rows()) {
                String location = shape.location(row);
                expected.put(location, true);
                Path file = ExportLayout.target(root, location);
                boolean intact = false;
                if (!Files.isRegularFile(file)) {
                    missing.add(location);
                } else if (!LinkCache.hashFile(file).hex().equals(row.blob())) {
                    modified.add(location);
                } else {
                    intact = true;
                }
                if (shape.needsSizes()) {
                    sizes.put(row.path(), intact ? ImageSize.of(file)
                            : ImageSize.ofBlob(session.repository().store(), ObjectId.parse(row.blob())));
                }
            }
            for (Map.Entry<String, byte[]> f : shape.annotationFiles(selection.rows(), sizes,
                    selection.commit().hex()).entrySet()) {
                expected.put(f.getKey(), true);
                Path file = ExportLayout.target(root, f.getKey());
                if (!Files.isRegularFile(file)) {
                    missing.add(f.getKey());
                } else if (!Arrays.equals(Files.readAllBytes(file), f.getValue())) {
                    modified.add(f.getKey());
                }
            }
            List<String> extra = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                    String rel = root.relativize(p).toString().replace('\\', '/');
                    if (!expected.containsKey(rel) && !rel.equals(ExportLayout.METADATA) && !rel.equals(meta.format().fileName())) {
                        extra.add(rel);
                    }
                }
            }
            Path manifestFile = root.resolve(meta.format().fileName());
            String manifest = Manifest.render(meta.format(), selection.rows(), selection.commit().hex(),
                    meta.features(), session::readVector);
            boolean manifestDiffers = !Files.isRegularFile(manifestFile)
                    || !Files.readString(manifestFile, StandardCharsets.UTF_8).equals(manifest);
            return new Report(root, meta.commit().hex(), selection.rows().size(), missing, modified, extra,
                    manifestDiffers, !"complete".equals(meta.state()));
        } catch (IOException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.io", root, e.getMessage());
        }
    }
}
