package dev.dsv.cli;

import dev.dsv.model.ObjectId;
import dev.dsv.service.BranchService;
import dev.dsv.service.Session;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv tag [NAME [REV]]}: lists tags or creates an immutable one. */
@Command(name = "tag")
final class TagCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", descriptionKey = "tag.name")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "tag.rev")
    String revision;

    @Override
    int run() {
        try (Session session = openSession()) {
            BranchService service = new BranchService(session);
            if (name == null) {
                Map<String, ObjectId> tags = service.tags();
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("tags", tags.entrySet().stream().map(e -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("name", e.getKey());
                        m.put("commit", e.getValue().hex());
                        return m;
                    }).toList());
                    out().printJson(doc);
                } else {
                    tags.forEach((t, id) -> out().line(t + "  " + id.abbreviate(12)));
                }
                return 0;
            }
            ObjectId id = service.tag(name, revision);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("created", name);
                doc.put("commit", id.hex());
                out().printJson(doc);
            } else {
                out().println("tag.created", name, id.abbreviate(12));
            }
        }
        return 0;
    }
}
