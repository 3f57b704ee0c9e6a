package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shortListingShowsFirstPaths() throws Exception {
        Path library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
        // 300 images in one folder: more than a flat tree node holds, so the stage tree is
        // bucketed by hash and its diff does not visit the paths in order.
        Path folder = Files.createDirectories(tmp.resolve("batch"));
        List<String> sampleRows = Files.readAllLines(Images.SAMPLE.resolve("labels.csv"));
        List<String> rows = new ArrayList<>(List.of(sampleRows.get(0)));
        for (int copy = 0; copy < 5; copy++) {
            for (String row : sampleRows.subList(1, sampleRows.size())) {
                String file = row.substring(0, row.indexOf(','));
                String renamed = copy + "-" + file;
                Files.copy(Images.SAMPLE.resolve("images").resolve(file), folder.resolve(renamed));
                rows.add(renamed + row.substring(row.indexOf(',')));
            }
        }
        Path labels = Files.write(tmp.resolve("labels.csv"), rows);
        CliResult add = Dsv.run(library, "add", folder.toString(), "--labels", labels.toString(),
                "--source", "production", "--labeler", "elpv-experts", "--labeled-at", "2018-03-07T00:00:00+01:00");
        assertEquals(0, add.exitCode(), add.toString());

        List<String> all = changedPaths(Dsv.run(library, "status", "--all"));
        List<String> shown = changedPaths(Dsv.run(library, "status"));

        assertEquals(300, all.size(), all.toString());
        assertEquals(all.stream().sorted().toList(), all, "--all lists paths in order");
        assertEquals(all.subList(0, 20), shown);
    }

    /** Returns the paths of the change lines ("  added      images/x.png") of a status listing. */
    private static List<String> changedPaths(CliResult status) {
        assertEquals(0, status.exitCode(), status.toString());
        return Arrays.stream(status.out().split("\n"))
                .filter(line -> line.startsWith("  ") && !line.contains("dsv status --all"))
                .map(line -> line.trim().split("\\s+", 2)[1])
                .toList();
    }
}
