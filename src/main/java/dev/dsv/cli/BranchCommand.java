package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import dev.dsv.remote.SiteLocalBranches;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.BranchService;
import dev.dsv.service.Session;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv branch}: lists branches, creates one at a revision, or deletes one. */
@Command(name = "branch")
final class BranchCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", descriptionKey = "branch.name")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "branch.rev")
    String revision;

    @Option(names = {"-d", "--delete"}, descriptionKey = "branch.delete")
    boolean delete;

    @Option(names = {"-D", "--force"}, descriptionKey = "branch.force")
    boolean force;

    @Option(names = "--site-local", negatable = true, descriptionKey = "branch.siteLocal")
    Boolean siteLocal;

    @Override
    int run() {
        try (Session session = openSession()) {
            BranchService service = new BranchService(session);
            if (siteLocal != null) {
                return markSiteLocal(session);
            }
            if (name == null) {
                String current = session.repository().currentBranch();
                Map<String, ObjectId> branches = service.branches();
                List<String> siteLocalBranches = SiteLocalBranches.read(session.repository());
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("current", current);
                    doc.put("branches", branches.entrySet().stream().map(e -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("name", e.getKey());
                        m.put("commit", e.getValue() == null ? null : e.getValue().hex());
                        m.put("site_local", siteLocalBranches.contains(e.getKey()));
                        return m;
                    }).toList());
                    out().printJson(doc);
                } else {
                    branches.forEach((b, id) -> out().line((b.equals(current) ? "* " : "  ") + b + "  "
                            + (id == null ? out().text("status.noCommits") : id.abbreviate(12))
                            + (siteLocalBranches.contains(b) ? "  " + out().text("branch.siteLocalMark") : "")));
                }
                return 0;
            }
            ObjectId id = delete || force ? service.delete(name, force) : service.create(name, revision);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put(delete || force ? "deleted" : "created", name);
                doc.put("commit", id.hex());
                out().printJson(doc);
            } else {
                out().println(delete || force ? "branch.deleted" : "branch.created", name, id.abbreviate(12));
            }
        }
        return 0;
    }

    /** Marks or unmarks the branch NAME as site-local: push never uploads the blobs of its images. */
    private int markSiteLocal(Session session) {
        if (name == null || delete || force) {
            throw new DsvException(ExitCode.USAGE, "error.branch.siteLocalUsage");
        }
        try (RepositoryLock lock = session.lock("branch --site-local")) {
            if (!session.repository().branches().contains(name)) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.branch.notFound", name);
            }
            SiteLocalBranches.set(session.repository(), name, siteLocal);
        }
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("branch", name);
            doc.put("site_local", siteLocal);
            out().printJson(doc);
        } else {
            out().println(siteLocal ? "branch.siteLocal.on" : "branch.siteLocal.off", name);
        }
        return 0;
    }
}
