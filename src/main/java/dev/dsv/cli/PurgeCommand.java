package dev.dsv.cli;

import dev.dsv.exports.ExportPurge;
import dev.dsv.remote.RemotePurge;
import dev.dsv.service.PurgeService;
import dev.dsv.service.Session;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dsv purge PATH... --reason TEXT}: removes image bytes from the store, the listed export
 * folders and every remote, keeping commit ids.
 */
@Command(name = "purge")
final class PurgeCommand extends BaseCommand {
    @Parameters(arity = "0..*", paramLabel = "PATH", descriptionKey = "purge.paths")
    List<String> paths;

    @Option(names = "--blob", paramLabel = "ID", descriptionKey = "purge.blob")
    List<String> blobs;

    @Option(names = "--rev", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "purge.rev")
    String revision;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", descriptionKey = "purge.reason")
    String reason;

    @Override
    int run() {
        try (Session session = openSession()) {
            PurgeService.Result r = new PurgeService(session).purge(revision,
                    paths == null ? List.of() : paths, blobs == null ? List.of() : blobs, reason);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("purged", r.blobs().stream().map(p -> {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("blob", p.blob().hex());
                    v.put("paths", p.paths());
                    v.put("already_purged", p.alreadyPurged());
                    return v;
                }).toList());
                doc.put("local_packs_rewritten", r.localPacksRewritten());
                doc.put("exports", r.exports().stream().map(this::exportView).toList());
                doc.put("remotes", r.remotes().stream().map(PurgeCommand::remoteView).toList());
                out().printJson(doc);
            } else {
                for (PurgeService.Purged p : r.blobs()) {
                    out().println("purge.purgedBlob", p.blob().hex(), p.paths().isEmpty() ? "-" : String.join(", ", p.paths()));
                }
                out().println("purge.local", r.blobs().size(), r.localPacksRewritten());
                r.exports().forEach(this::printExport);
                for (RemotePurge.Result remote : r.remotes()) {
                    out().println("purge.remote", remote.remote(), remote.packsRewritten(), remote.blobsRemoved(),
                            remote.recordsUploaded());
                }
            }
        }
        return 0;
    }

    private void printExport(ExportPurge.Folder f) {
        switch (f.status()) {
            case REWRITTEN -> out().println("purge.export.rewritten", f.folder(), f.imagesRemoved().size(),
                    String.join(", ", f.imagesRemoved()), f.filesDeleted().size());
            case UNAFFECTED -> out().println("purge.export.unaffected", f.folder());
            case GONE -> out().println("purge.export.gone", f.folder());
            case CHANGED -> out().println("purge.export.changed", f.folder(), problemText(f));
            case FAILED -> out().println("purge.export.failed", f.folder(), problemText(f));
            case INVALID_LIST -> out().println("purge.export.invalidList", problemText(f));
        }
    }

    private String problemText(ExportPurge.Folder f) {
        return f.problem() == null ? "" : out().text(f.problem().messageKey(), f.problem().arguments());
    }

    private Map<String, Object> exportView(ExportPurge.Folder f) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("folder", f.folder().toString());
        v.put("status", f.status().name().toLowerCase(Locale.ROOT));
        v.put("images_removed", f.imagesRemoved());
        v.put("files_deleted", f.filesDeleted());
        v.put("problem", f.problem() == null ? null : problemText(f));
        return v;
    }

    private static Map<String, Object> remoteView(RemotePurge.Result r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("remote", r.remote());
        v.put("packs_rewritten", r.packsRewritten());
        v.put("blobs_removed", r.blobsRemoved());
        v.put("records_uploaded", r.recordsUploaded());
        return v;
    }
}
