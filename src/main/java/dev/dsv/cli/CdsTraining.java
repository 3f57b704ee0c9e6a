package dev.dsv.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Runs the common commands once on a throw-away repository, so that a JVM started with
 * {@code -XX:ArchiveClassesAtExit} records the classes they load in a class-data sharing archive.
 * scripts/dsv starts it in the background when its archive is missing or older than dsv or the
 * JDK; later commands map the archive and skip loading and verifying those classes. Prints
 * nothing; the exit code is 0 when every command succeeded, else 1.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path tmp = Files.createTempDirectory("dsv-cds-training");
        int failures;
        try {
            failures = train(tmp);
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private static int train(Path tmp) throws IOException {
        Path images = tmp.resolve("line-1");
        Files.createDirectories(images);
        for (int i = 0; i < 3; i++) {
            BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setSample(i, i, 0, 200);
            ImageIO.write(image, "png", images.resolve("cell-" + i + ".png").toFile());
        }
        String lib = tmp.resolve("lib").toString();
        List<String[]> commands = List.of(
                new String[] {"--version"},
                new String[] {"init", lib},
                new String[] {"-C", lib, "switch", "-c", "training"},
                new String[] {"-C", lib, "add", images.toString(), "--cell-type", "PERC", "--source", "production",
                    "--labeler", "cds-training", "--split", "train"},
                new String[] {"-C", lib, "status"},
                new String[] {"-C", lib, "commit", "-m", "training"},
                new String[] {"-C", lib, "label", "set", "line-1/cell-0.png", "--defect", "microcrack", "--labeler",
                    "cds-training"},
                new String[] {"-C", lib, "--json", "commit", "-m", "relabel"},
                new String[] {"-C", lib, "log", "-n", "1"},
                new String[] {"-C", lib, "ls", "--cell-type", "PERC", "--defect", "microcrack"},
                new String[] {"-C", lib, "diff", "HEAD~1"},
                new String[] {"-C", lib, "show", "HEAD"});
        int failures = 0;
        for (String[] command : commands) {
            PrintWriter sink = new PrintWriter(new StringWriter());
            if (Main.run(command, sink, sink) != 0) {
                failures++;
            }
        }
        return failures;
    }
}
