package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.service.MergeService;
import dev.dsv.service.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv merge BRANCH}: merges another branch into the current one. */
@Command(name = "merge")
final class MergeCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "BRANCH", descriptionKey = "merge.branch")
    String branch;

    @Option(names = "--ours", descriptionKey = "merge.ours")
    boolean ours;

    @Option(names = "--theirs", descriptionKey = "merge.theirs")
    boolean theirs;

    @Option(names = "--resolve", paramLabel = "FILE", descriptionKey = "merge.resolve")
    Path resolutions;

    @Option(names = {"-m", "--message"}, paramLabel = "MESSAGE", descriptionKey = "merge.message")
    String message;

    @Override
    int run() {
        if (message != null && message.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.commit.emptyMessage");
        }
        MergeService.Side all = side(ours, theirs);
        Map<String, MergeService.Side> choices = resolutions == null ? Map.of()
                : readChoices(rootCommand().workingDirectory().resolve(resolutions));
        try (Session session = openSession()) {
            MergeService.Result r = new MergeService(session).merge(branch, all, choices, message);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("result", r.kind());
                doc.put("commit", r.commit() == null ? null : r.commit().hex());
                doc.put("changed", r.changed());
                doc.put("resolved_conflicts", r.resolved());
                out().printJson(doc);
            } else {
                out().println("merge.done." + r.kind(), branch, r.commit().abbreviate(12), r.changed(), r.resolved());
            }
        }
        return 0;
    }

    /** Returns the side that --ours or --theirs chose for every conflict, or null for none. */
    static MergeService.Side side(boolean ours, boolean theirs) {
        if (ours && theirs) {
            throw new DsvException(ExitCode.USAGE, "error.merge.oursAndTheirs");
        }
        if (ours) {
            return MergeService.Side.OURS;
        }
        return theirs ? MergeService.Side.THEIRS : null;
    }

    /** Reads "path,side" rows (side: ours or theirs); a header row "path,side" is allowed. */
    static Map<String, MergeService.Side> readChoices(Path file) {
        Map<String, MergeService.Side> out = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.merge.resolutionUnreadable", file,
                    e instanceof java.nio.file.NoSuchFileException ? "not found" : String.valueOf(e.getMessage()));
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || (i == 0 && line.equalsIgnoreCase("path,side"))) {
                continue;
            }
            int comma = line.lastIndexOf(',');
            String side = comma < 0 ? "" : line.substring(comma + 1).trim().toLowerCase(Locale.ROOT);
            if (!side.equals("ours") && !side.equals("theirs")) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.merge.resolutionRow", file + ":" + (i + 1), line);
            }
            out.put(line.substring(0, comma).trim(), side.equals("ours") ? MergeService.Side.OURS : MergeService.Side.THEIRS);
        }
        return out;
    }
}
