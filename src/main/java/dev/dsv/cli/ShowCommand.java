package dev.dsv.cli;

import dev.dsv.model.Times;
import dev.dsv.service.Session;
import dev.dsv.service.ShowService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv show REV} or {@code dsv show REV:PATH}: one commit, or one image at a commit. */
@Command(name = "show")
final class ShowCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REV[:PATH]", defaultValue = "HEAD", descriptionKey = "show.target")
    String target;

    @Override
    int run() {
        try (Session session = openSession()) {
            ShowService service = new ShowService(session);
            int colon = target.indexOf(':');
            if (colon >= 0) {
                String rev = colon == 0 ? "HEAD" : target.substring(0, colon);
                showImage(service.image(rev, target.substring(colon + 1)));
            } else {
                showCommit(service.commit(target));
            }
        }
        return 0;
    }

    private void showCommit(ShowService.CommitView v) {
        List<Map<String, Object>> images = new ArrayList<>();
        long total = 0;
        for (Map.Entry<List<String>, Long> e : v.images().entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cell_type", e.getKey().get(0));
            m.put("defect", e.getKey().get(1));
            m.put("images", e.getValue());
            images.add(m);
            total += e.getValue();
        }
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("commit", Views.commit(v.id(), v.commit()));
            doc.put("changes", Views.counts(v.changes()));
            doc.put("sub_libraries", images);
            out().printJson(doc);
            return;
        }
        out().println("log.commit", v.id().hex());
        out().println("show.tree", v.commit().tree().hex());
        for (var p : v.commit().parents()) {
            out().println("show.parent", p.hex());
        }
        out().println("log.committer", v.commit().committer());
        out().println("log.date", Times.format(v.commit().time()));
        out().println("log.touches", Views.pairsText(v.commit().touches()));
        out().println("log.sources", String.join(", ", v.commit().sources()));
        out().line("");
        for (String line : v.commit().message().split("\n")) {
            out().line("    " + line);
        }
        out().line("");
        out().println("show.changes", Views.countsText(out(), v.changes()));
        out().println("show.images", total);
        for (Map<String, Object> m : images) {
            out().line("  " + TextColumns.pad((String) m.get("cell_type"), 12) + " " + TextColumns.pad((String) m.get("defect"), 20)
                    + String.format(" %8d", (Long) m.get("images")));
        }
    }

    private void showImage(ShowService.ImageView v) {
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("commit", v.commit().hex());
            doc.put("path", v.path());
            doc.put("image", Views.entry(v.entry()));
            doc.put("label", Views.label(v.entry().label(), v.label()));
            out().printJson(doc);
            return;
        }
        var e = v.entry();
        var l = v.label();
        out().println("show.image.path", v.path(), v.commit().abbreviate(12));
        out().println("show.image.sha256", e.blob().hex());
        out().println("show.image.facts", e.cellType(), e.split() == null ? "-" : e.split(), e.source(),
                e.generator() == null ? "-" : e.generator());
        if (!e.attributes().isEmpty()) {
            out().println("show.image.attributes", e.attributes());
        }
        if (!v.featureDimensions().isEmpty()) {
            List<String> sets = new ArrayList<>();
            v.featureDimensions().forEach((name, dimensions) -> sets.add(out().text("show.image.featureSet", name, dimensions)));
            out().println("show.image.features", String.join(", ", sets));
        }
        out().println("show.image.label", e.label().hex());
        out().println("show.image.defects", l.defectTypes().isEmpty() ? "none" : String.join(", ", l.defectTypes()));
        out().println("show.image.labeler", l.labeler(), Times.format(l.labeledAt()),
                l.confidence() == null ? "-" : dev.dsv.model.CanonicalJson.plain(l.confidence()));
        if (l.supersedes() != null) {
            out().println("show.image.supersedes", l.supersedes().hex());
        }
        if (l.guideline() != null) {
            out().println("show.image.guideline", l.guideline());
        }
        if (l.change() != null) {
            out().println("show.image.change", l.change().hex());
        }
    }
}
