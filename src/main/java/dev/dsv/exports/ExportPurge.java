package dev.dsv.exports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.Problem;
import dev.dsv.index.ImageRow;
import dev.dsv.model.ObjectId;
import dev.dsv.service.Progress;
import dev.dsv.service.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Removes purged images from the export folders this repository wrote ({@link ExportFolders}).
 * A folder whose manifest lists a purged blob is first checked as {@code dsv export --verify}
 * does. When it is exactly its export, its purged image files and their per-image annotation
 * files are deleted and the manifest, the annotation files and {@code dsv-export.json} are
 * rewritten through the sync path of {@link ExportService}, with the paths recorded as
 * {@code purged_paths}, so that {@code export --verify} passes on it afterwards. A folder whose
 * {@code dsv-export.json} records an interrupted update is finished without that check. Folders
 * that are gone or differ from their export are reported and left as they are.
 */
public final class ExportPurge {
    /** Outcome of the purge for one listed folder. */
    public enum Status {
        /** Purged images were removed and the export files rewritten. */
        REWRITTEN,
        /** The folder contains no purged image. */
        UNAFFECTED,
        /** The folder no longer exists. */
        GONE,
        /** The folder differs from its export (changed by hand, or not readable as an export), so it is left as it is. */
        CHANGED,
        /** The rewrite failed part way, and {@code dsv export --verify} shows what is left. */
        FAILED,
        /** The list file itself is invalid, so no folder was reached; the entry names the file. */
        INVALID_LIST
    }

    /**
     * The outcome for one folder: the dataset paths of the images removed, every file deleted
     * (relative to the folder), and for {@code CHANGED}, {@code FAILED} and {@code INVALID_LIST} the
     * reason, else null.
     */
    public record Folder(Path folder, Status status, List<String> imagesRemoved, List<String> filesDeleted,
                         Problem problem) {
        static Folder of(Path folder, Status status, Problem problem) {
            return new Folder(folder, status, List.of(), List.of(), problem);
        }
    }

    private final Session session;

    public ExportPurge(Session session) {
        this.session = session;
    }

    /** Removes the images whose blob is in {@code blobs} from every listed folder. The caller holds the writer lock. */
    public List<Folder> purge(Set<ObjectId> blobs) {
        Set<String> hashes = blobs.stream().map(ObjectId::hex).collect(Collectors.toSet());
        ExportFolders list = new ExportFolders(session.repository());
        List<Path> folders;
        try {
            folders = list.list();
        } catch (DsvException e) {
            // An unreadable list must not stop the purge of the remotes that come next.
            return List.of(Folder.of(list.file(), Status.INVALID_LIST, new Problem(e.messageKey(), e.arguments())));
        }
        List<Folder> out = new ArrayList<>();
        for (Path folder : folders) {
            out.add(purgeFolder(folder, hashes));
        }
        return out;
    }

    private Folder purgeFolder(Path folder, Set<String> hashes) {
        if (!Files.exists(folder)) {
            return Folder.of(folder, Status.GONE, null);
        }
        ExportService service = new ExportService(session, Progress.NONE);
        ExportService.Metadata meta;
        Set<String> purgedHere = new TreeSet<>();
        try {
            meta = ExportService.readMetadata(folder);
            String repositoryId = session.repository().config().repositoryId();
            if (meta.repository() != null && repositoryId != null && !meta.repository().equals(repositoryId)) {
                return Folder.of(folder, Status.CHANGED, new Problem("error.export.otherRepository", folder));
            }
            for (Map.Entry<String, String> row : ExportService.manifestHashes(folder, meta.format()).entrySet()) {
                if (hashes.contains(row.getValue())) {
                    purgedHere.add(row.getKey());
                }
            }
            if (interrupted(meta)) {
                // The manifest may already be rewritten, so the recorded selection names the purged images.
                for (ImageRow row : service.recordedWithPurged(meta).rows()) {
                    if (hashes.contains(row.blob())) {
                        purgedHere.add(row.path());
                    }
                }
                return rewrite(service, folder, meta, purgedHere);
            }
            if (purgedHere.isEmpty()) {
                return Folder.of(folder, Status.UNAFFECTED, null);
            }
            ExportVerifier.Report report = new ExportVerifier(session).verify(folder);
            if (!report.ok()) {
                return Folder.of(folder, Status.CHANGED, new Problem("purge.export.differs", report.missing().size(),
                        report.modified().size(), report.extra().size(), report.manifestDiffers() ? 1 : 0,
                        report.incomplete() ? 1 : 0));
            }
        } catch (DsvException e) {
            return Folder.of(folder, Status.CHANGED, new Problem(e.messageKey(), e.arguments()));
        } catch (IOException e) {
            return Folder.of(folder, Status.CHANGED, new Problem("error.io", folder, e.getMessage()));
        }
        return rewrite(service, folder, meta, purgedHere);
    }

    /**
     * Returns whether {@code dsv-export.json} records an update that never finished (a purge or
     * {@code export --sync} that was killed or failed). Such a folder is finished without the
     * {@code export --verify} check, which cannot tell a hand change from the unfinished update.
     * The sync path re-hashes every image it keeps, and files it never wrote stay as they are.
     */
    private static boolean interrupted(ExportService.Metadata meta) {
        return "syncing".equals(meta.state());
    }

    /**
     * Rewrites {@code folder} without the images at {@code purgedHere} and without any other image
     * whose blob was purged from the local store, through the sync path.
     */
    private Folder rewrite(ExportService service, Path folder, ExportService.Metadata meta, Set<String> purgedHere) {
        ExportService.Selection next;
        try {
            next = service.withoutLocallyPurged(service.recorded(meta).withoutPurged(purgedHere));
        } catch (DsvException e) {
            return Folder.of(folder, Status.FAILED, new Problem(e.messageKey(), e.arguments()));
        }
        ExportService.MetadataWriter metadata = state -> {
            ObjectNode node = service.metadataNode(next, meta.format(), meta.link(), state, meta.features(),
                    meta.shape());
            if (meta.policy() != null) {
                node.set("policy", meta.policy());
            }
            ExportService.writeMetadata(folder, node);
        };
        try {
            ExportService.Update update = service.update(folder, meta, next, meta.format(), meta.features(),
                    meta.link(), metadata);
            return new Folder(folder, Status.REWRITTEN, List.copyOf(purgedHere), update.deletedFiles(), null);
        } catch (DsvException e) {
            return Folder.of(folder, Status.FAILED, new Problem(e.messageKey(), e.arguments()));
        } catch (IOException e) {
            return Folder.of(folder, Status.FAILED, new Problem("error.io", folder, e.getMessage()));
        }
    }
}
