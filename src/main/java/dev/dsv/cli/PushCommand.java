package dev.dsv.cli;

import dev.dsv.remote.PushService;
import dev.dsv.service.Session;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv push [REMOTE] [BRANCH]}: sends a branch and the metadata log to a remote. */
@Command(name = "push")
final class PushCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REMOTE", descriptionKey = "push.remote")
    String remote;

    @Parameters(index = "1", arity = "0..1", paramLabel = "BRANCH", descriptionKey = "push.branch")
    String branch;

    @Override
    int run() {
        try (Session session = openSession()) {
            PushService.Result r = new PushService(session).push(remote, branch);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("remote", r.remote());
                doc.put("branch", r.branch());
                doc.put("ref", r.ref());
                doc.put("commit", r.commit().hex());
                doc.put("previous", r.previous() == null ? null : r.previous().hex());
                doc.put("objects_sent", r.objects());
                doc.put("bytes_sent", r.bytes());
                doc.put("packs_uploaded", r.packsUploaded());
                doc.put("packs_reused", r.packsReused());
                doc.put("meta_records", r.metaRecords());
                doc.put("site_local_blobs_kept", r.siteLocalBlobs());
                doc.put("absent_blobs_skipped", r.absentBlobs());
                doc.put("retries", r.retries());
                out().printJson(doc);
            } else {
                out().println("push.done." + r.ref(), r.remote(), r.branch(), r.commit().abbreviate(12), r.objects(),
                        r.bytes(), r.metaRecords());
                if (r.siteLocalBlobs() > 0) {
                    out().println("push.siteLocal", r.siteLocalBlobs());
                }
                if (r.absentBlobs() > 0) {
                    out().println("push.absent", r.absentBlobs());
                }
            }
        }
        return 0;
    }
}
