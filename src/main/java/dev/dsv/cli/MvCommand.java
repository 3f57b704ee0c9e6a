package dev.dsv.cli;

import dev.dsv.service.MoveService;
import dev.dsv.service.Session;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv mv FROM TO}: moves an image or a folder to another dataset path. */
@Command(name = "mv")
final class MvCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "FROM", descriptionKey = "mv.from")
    String from;

    @Parameters(index = "1", paramLabel = "TO", descriptionKey = "mv.to")
    String to;

    @Override
    int run() {
        try (Session session = openSession()) {
            int moved = new MoveService(session).move(from, to);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("moved", moved);
                out().printJson(doc);
            } else {
                out().println("mv.done", moved, from, to);
            }
        }
        return 0;
    }
}
