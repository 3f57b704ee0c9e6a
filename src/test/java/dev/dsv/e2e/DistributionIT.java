package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a newcomer meets it: unpacked into a fresh folder, it runs the README's
 * quick start with bin/dsv on a few ELPV images that the test copies in. The archive itself must
 * carry dsv's licence and the dependencies' licences, and no example data.
 */
class DistributionIT {
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();
    private static final String VERSION = System.getProperty("dsv.version");
    private static final Path ARCHIVE_BASE = Path.of(System.getProperty("dsv.distribution", "target/dsv-" + VERSION));
    private static final String FOLDER = "dsv-" + VERSION;
    private static final int IMAGES = 6;

    @TempDir
    static Path unpacked;

    @TempDir
    Path tmp;

    /** Unpacks the tar.gz once with the system's tar, as the README quick start does. */
    @BeforeAll
    static void unpack() {
        CliResult r = run(unpacked, "tar", "-xzf", tarball().toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    private static Path tarball() {
        return Path.of(ARCHIVE_BASE + ".tar.gz");
    }

    private static Path home() {
        return unpacked.resolve(FOLDER);
    }

    @Test
    void readmeQuickStartRuns() throws IOException {
        Path batch = tmp.resolve("batch-0601");
        Map<String, String> cellTypes = copyExampleImages(batch, IMAGES);
        Files.copy(tarball(), tmp.resolve(tarball().getFileName()));

        String script = readmeQuickStart();
        CliResult r = run(tmp, "bash", "-e", "-c", script);
        assertEquals(0, r.exitCode(), script + "\n" + r);

        assertTrue(r.out().contains("dsv " + VERSION + "\n"), "dsv --version names the release: " + r.out());
        Map<String, String[]> listed = new HashMap<>();
        for (String line : r.out().split("\n")) {
            String[] columns = line.split("\t");
            if (columns.length == 6 && columns[0].startsWith("batch-0601/")) {
                listed.put(columns[5], columns);
            }
        }
        assertEquals(IMAGES, listed.size(), "dsv ls lists every added image: " + r.out());
        for (Map.Entry<String, String> image : cellTypes.entrySet()) {
            String sha256 = DigestUtils.sha256Hex(Files.readAllBytes(batch.resolve(image.getKey())));
            String[] columns = listed.get(sha256);
            assertTrue(columns != null, image.getKey() + " (" + sha256 + ") missing from: " + r.out());
            assertEquals("batch-0601/" + image.getKey(), columns[0]);
            assertEquals(image.getValue(), columns[1], "cell type of " + image.getKey());
            assertEquals("production", columns[4], "source of " + image.getKey());
        }
        assertTrue(Files.isDirectory(tmp.resolve("lib/.dsv")), "the library was created where the README says");
    }

    @Test
    void launcherFollowsSymbolicLink() throws IOException {
        Path links = Files.createDirectories(tmp.resolve("usr/local/bin"));
        // A relative link target, which the launcher resolves against the link's folder.
        Path link = Files.createSymbolicLink(links.resolve("dsv"), links.relativize(home().resolve("bin/dsv")));
        CliResult r = run(tmp, link.toString(), "--version");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("dsv " + VERSION + "\n"), r.out());
    }

    @Test
    void archiveCarriesNoExampleData() throws IOException {
        Set<String> exampleHashes;
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            exampleHashes = files.filter(Files::isRegularFile).map(DistributionIT::sha256).collect(Collectors.toSet());
        }
        assertTrue(exampleHashes.size() > 60, "the ELPV sample, its labels and licence were hashed");

        List<Path> shipped = shippedFiles();
        for (Path file : shipped) {
            String relative = home().relativize(file).toString();
            assertFalse(relative.startsWith("examples") || relative.contains("/examples/"), relative);
            assertFalse(relative.toLowerCase().contains("elpv"), relative);
            assertFalse(exampleHashes.contains(sha256(file)), relative + " is a copy of a file in examples/");
        }
    }

    @Test
    void archiveCarriesLicences() throws IOException {
        assertEquals(Files.readString(Path.of("LICENSE")), Files.readString(home().resolve("LICENSE")));

        String thirdParty = Files.readString(home().resolve("THIRD-PARTY.txt"));
        List<Path> jars;
        try (Stream<Path> files = Files.list(home().resolve("lib"))) {
            jars = files.filter(p -> !p.getFileName().toString().equals("dsv.jar")).toList();
        }
        assertTrue(jars.size() > 10, "the runtime dependencies are shipped: " + jars);
        Pattern nameAndVersion = Pattern.compile("(.+)-(\\d[^-]*(?:-r)?)\\.jar");
        for (Path jar : jars) {
            Matcher m = nameAndVersion.matcher(jar.getFileName().toString());
            assertTrue(m.matches(), jar.toString());
            assertTrue(thirdParty.contains(":" + m.group(1) + ":" + m.group(2) + " "),
                    "THIRD-PARTY.txt lists " + jar.getFileName());
        }

        // Every dependency that ships a NOTICE file in its jar has it in licenses/.
        for (String artifact : new String[] {"jackson-databind", "httpclient5", "s3", "commons-codec"}) {
            try (Stream<Path> files = Files.walk(home().resolve("licenses"))) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("NOTICE")
                        && home().resolve("licenses").relativize(p).getName(0).toString().startsWith(artifact + "-")),
                        "licenses/ has the NOTICE of " + artifact);
            }
        }
    }

    @Test
    void zipMatchesTarball() throws IOException {
        Set<String> inTar = new TreeSet<>();
        for (Path file : shippedFiles()) {
            inTar.add(FOLDER + "/" + unpacked.resolve(FOLDER).relativize(file).toString().replace('\\', '/'));
        }
        Set<String> inZip = new TreeSet<>();
        try (ZipFile zip = new ZipFile(ARCHIVE_BASE + ".zip")) {
            for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                if (!entry.isDirectory()) {
                    inZip.add(entry.getName());
                }
            }
            String bat;
            try (java.io.InputStream in = zip.getInputStream(zip.getEntry(FOLDER + "/bin/dsv.bat"))) {
                bat = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
            assertTrue(bat.contains("dev.dsv.cli.Main %*\r\n"), "dsv.bat has Windows line endings");
        }
        assertEquals(inTar, inZip);
        assertTrue(Files.isExecutable(home().resolve("bin/dsv")), "bin/dsv is executable after tar -x");
    }

    @Test
    void completionAndManPagesShipped() throws IOException {
        Path completion = home().resolve("completion/dsv.bash");
        CliResult printed = run(tmp, home().resolve("bin/dsv").toString(), "completion", "bash");
        assertEquals(0, printed.exitCode(), printed.toString());
        assertEquals(Files.readString(completion), printed.out(), "the shipped script is what dsv completion prints");

        // Completes "dsv rev" and "dsv review sa" in bash, as a TAB press would.
        String complete = "source \"$1\"; COMP_WORDS=(dsv rev); COMP_CWORD=1; _complete_dsv; echo \"${COMPREPLY[*]}\";"
                + " COMP_WORDS=(dsv review sa); COMP_CWORD=2; _complete_dsv; echo \"${COMPREPLY[*]}\"";
        CliResult completed = run(tmp, "bash", "-c", complete, "bash", completion.toString());
        assertEquals(0, completed.exitCode(), completed.toString());
        assertEquals("review\nsample\n", completed.out(), completed.toString());

        String review = Files.readString(home().resolve("man/man1/dsv-review-sample.1"));
        assertTrue(review.contains(".TH \"DSV\\-REVIEW\\-SAMPLE\" \"1\""), "a troff man page: " + review);
        assertTrue(review.contains("dsv " + VERSION.replace("-", "\\-")), "names the version: " + review);
        assertTrue(Files.isRegularFile(home().resolve("man/man1/dsv.1")), "the top-level page");
    }

    /**
     * Returns the README's quick start for the release archive: the first sh block after its
     * heading, with the built archive's version in place of the example version.
     */
    private static String readmeQuickStart() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## Install from the release archive\n");
        assertTrue(section >= 0, "README has the install section");
        int start = readme.indexOf("```sh\n", section);
        int end = readme.indexOf("\n```", start);
        String block = readme.substring(start + "```sh\n".length(), end);
        assertTrue(Pattern.compile("dsv-\\d+\\.\\d+\\.\\d+").matcher(block).find(), "the block names an archive: " + block);
        return block.replaceAll("dsv-\\d+\\.\\d+\\.\\d+", Matcher.quoteReplacement(FOLDER));
    }

    /** Copies the first {@code count} ELPV images and their rows of labels.csv into {@code folder}. */
    private static Map<String, String> copyExampleImages(Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        List<String> lines = Files.readAllLines(EXAMPLES.resolve("elpv/labels.csv"));
        List<String> selectedLines = new ArrayList<>(lines.subList(0, count + 1));
        Map<String, String> cellTypes = new HashMap<>();
        List<String> header = List.of(selectedLines.get(0).split(","));
        for (String row : selectedLines.subList(1, selectedLines.size())) {
            String[] columns = row.split(",");
            String name = columns[header.indexOf("path")];
            Files.copy(EXAMPLES.resolve("elpv/images").resolve(name), folder.resolve(name));
            cellTypes.put(name, columns[header.indexOf("cell_type")]);
        }
        Files.write(folder.resolve("labels.csv"), selectedLines);
        return cellTypes;
    }

    private static List<Path> shippedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(home())) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static String sha256(Path file) {
        try {
            return DigestUtils.sha256Hex(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a program in {@code dir} with English messages and returns its result (at most 5 minutes). */
    private static CliResult run(Path dir, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        for (String name : List.of("DSV_LANG", "LC_ALL", "LC_MESSAGES", "LANG")) {
            pb.environment().remove(name);
        }
        pb.environment().put("LANG", "C.UTF-8");
        try {
            Path out = Files.createTempFile("dist-out", ".txt");
            Path err = Files.createTempFile("dist-err", ".txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 5 minutes");
            }
            CliResult r = new CliResult(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
