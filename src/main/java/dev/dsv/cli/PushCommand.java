package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.remote.PushService;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dsv push [REMOTE] [BRANCH] [--tags | --tag NAME]}: sends a branch, tags and the metadata
 * log; {@code dsv push --delete REMOTE BRANCH} deletes a branch on the remote.
 */
@Command(name = "push")
final class PushCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REMOTE", descriptionKey = "push.remote")
    String remote;

    @Parameters(index = "1", arity = "0..1", paramLabel = "BRANCH", descriptionKey = "push.branch")
    String branch;

    @Option(names = "--tags", descriptionKey = "push.tags")
    boolean allTags;

    @Option(names = "--tag", paramLabel = "NAME", descriptionKey = "push.tag")
    List<String> tags = new ArrayList<>();

    @Option(names = "--delete", descriptionKey = "push.delete")
    boolean delete;

    @Override
    int run() {
        if (delete && (remote == null || branch == null || allTags || !tags.isEmpty())) {
            throw new DsvException(ExitCode.USAGE, "error.push.deleteUsage");
        }
        try (Session session = openSession()) {
            PushService service = new PushService(session);
            PushService.Result r = delete ? service.delete(remote, branch) : service.push(remote, branch, allTags, tags);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("remote", r.remote());
                doc.put("branch", r.branch());
                doc.put("ref", r.ref());
                doc.put("commit", r.commit() == null ? null : r.commit().hex());
                doc.put("previous", r.previous() == null ? null : r.previous().hex());
                doc.put("objects_sent", r.objects());
                doc.put("bytes_sent", r.bytes());
                doc.put("packs_uploaded", r.packsUploaded());
                doc.put("packs_reused", r.packsReused());
                doc.put("meta_records", r.metaRecords());
                doc.put("site_local_blobs_kept", r.siteLocalBlobs());
                doc.put("absent_blobs_skipped", r.absentBlobs());
                doc.put("purge_records_adopted", r.purgeRecordsAdopted());
                doc.put("retries", r.retries());
                doc.put("tags", r.tags().stream().map(t -> {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("name", t.name());
                    v.put("commit", t.commit().hex());
                    v.put("ref", t.ref());
                    return v;
                }).toList());
                out().printJson(doc);
            } else {
                for (PushService.TagResult t : r.tags()) {
                    out().println("push.tag." + t.ref(), r.remote(), t.name(), t.commit().abbreviate(12));
                }
                if ("deleted".equals(r.ref())) {
                    out().println("push.deleted", r.remote(), r.branch(), r.previous().abbreviate(12));
                } else if (r.branch() != null) {
                    out().println("push.done." + r.ref(), r.remote(), r.branch(), r.commit().abbreviate(12),
                            r.objects(), r.bytes(), r.metaRecords());
                } else {
                    out().println("push.tagsDone", r.remote(), r.objects(), r.bytes(), r.metaRecords());
                }
                if (r.siteLocalBlobs() > 0) {
                    out().println("push.siteLocal", r.siteLocalBlobs());
                }
                if (r.absentBlobs() > 0) {
                    out().println("push.absent", r.absentBlobs());
                }
                if (r.purgeRecordsAdopted() > 0) {
                    out().println("push.purgesAdopted", r.remote(), r.purgeRecordsAdopted());
                }
            }
        }
        return 0;
    }
}
