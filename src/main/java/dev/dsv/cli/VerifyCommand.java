package dev.dsv.cli;

import dev.dsv.error.ExitCode;
import dev.dsv.service.Session;
import dev.dsv.service.VerifyService;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv verify REV}: checks that a commit's (or a subset's) objects are present and intact. */
@Command(name = "verify")
final class VerifyCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "verify.rev")
    String revision;

    @picocli.CommandLine.Mixin
    FilterOptions filters = new FilterOptions();

    @Override
    int run() {
        try (Session session = openSession()) {
            VerifyService.Report r = new VerifyService(session, progress()).verify(revision,
                    filters.toFilter());
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("ok", r.ok());
                doc.put("commit", r.commit().hex());
                doc.put("images", r.images());
                doc.put("bytes", r.bytes());
                doc.put("problems", r.findings().stream().map(f -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("path", f.path());
                    m.put("id", f.id());
                    m.put("problem", f.problem());
                    return m;
                }).toList());
                out().printJson(doc);
            } else {
                r.findings().forEach(f -> out().println("verify.problem", f.problem(), f.id(), f.path()));
                out().println(r.ok() ? "verify.ok" : "verify.failed", r.commit().abbreviate(12), r.images(), r.bytes() / 1e6);
            }
            return r.ok() ? 0 : ExitCode.CHECK_FAILED.code();
        }
    }
}
