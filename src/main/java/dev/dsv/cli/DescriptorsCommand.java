package dev.dsv.cli;

import dev.dsv.error.ExitCode;
import dev.dsv.service.LeakageService;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv descriptors [REV]}: computes the missing image descriptors of a commit on all cores. */
@Command(name = "descriptors")
final class DescriptorsCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "descriptors.rev")
    String revision;

    @Override
    int run() {
        try (Session session = openSession()) {
            long start = System.nanoTime();
            LeakageService.DescriptorsResult r = new LeakageService(session).descriptors(revision, progress());
            double seconds = (System.nanoTime() - start) / 1e9;
            var b = r.batch();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("commit", r.commit().hex());
                doc.put("images", r.images());
                doc.put("blobs", b.requested());
                doc.put("computed", b.computed());
                doc.put("reused", b.reused());
                doc.put("failed", b.failed());
                List<Object> failures = new ArrayList<>();
                b.failures().forEach((id, msg) -> {
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("sha256", id.hex());
                    f.put("error", msg);
                    failures.add(f);
                });
                doc.put("failures", failures);
                doc.put("cache", r.cache());
                doc.put("seconds", Math.round(seconds * 1000) / 1000.0);
                out().printJson(doc);
            } else {
                b.failures().forEach((id, msg) -> out().println("leakage.undecodable", id.hex(), msg));
                out().println("descriptors.done", r.commit().abbreviate(12), b.requested(), b.computed(), b.reused(),
                        b.failed(), seconds);
            }
            return b.failed() > 0 ? ExitCode.CHECK_FAILED.code() : 0;
        }
    }
}
