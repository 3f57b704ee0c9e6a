package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ImageCopies;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dsv leakage and dsv descriptors on real ELPV images and altered copies of them. */
class LeakageTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        ok("switch", "-c", "work");
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private void add(String folder, String split, String... extra) {
        List<String> args = new ArrayList<>(List.of("add", "../" + folder, "--cell-type", "mono", "--source",
                "production", "--labeler", "lab-01", "--split", split));
        args.addAll(List.of(extra));
        ok(args.toArray(String[]::new));
    }

    /** Returns "pathA|pathB" for every reported near-duplicate pair, both orders. */
    private static Set<String> pairs(JsonNode report) {
        Set<String> out = new HashSet<>();
        for (JsonNode p : report.path("near_duplicates").path("pairs")) {
            String a = p.path("a").path("path").asText();
            String b = p.path("b").path("path").asText();
            out.add(a + "|" + b);
            out.add(b + "|" + a);
        }
        return out;
    }

    @Test
    void alteredCopiesAcrossSplitsFound() {
        List<Path> originals = Images.sampleImages().subList(0, 40);
        Path orig = tmp.resolve("orig");
        Path copies = tmp.resolve("copies");
        Random random = new Random(42);
        List<String[]> expected = new ArrayList<>();
        for (int i = 0; i < originals.size(); i++) {
            Path source = originals.get(i);
            String name = source.getFileName().toString().replace(".png", "");
            BufferedImage image = ImageCopies.read(source);
            ImageCopies.writePng(image, orig.resolve(name + ".png"));
            if (i >= 16) {
                continue;
            }
            int side = image.getWidth();
            int max = side / 20;
            String copy;
            switch (i % 4) {
                case 0 -> {
                    copy = name + "-q60.jpg";
                    ImageCopies.writeJpeg(image, 0.6f, copies.resolve(copy));
                }
                case 1 -> {
                    copy = name + "-small.png";
                    ImageCopies.writePng(ImageCopies.resize(image, side * 2 / 3, side * 2 / 3), copies.resolve(copy));
                }
                case 2 -> {
                    copy = name + "-crop.png";
                    int[] m = i == 2 ? new int[] {max, max, max, max}
                            : new int[] {random.nextInt(max + 1), random.nextInt(max + 1), random.nextInt(max + 1),
                                random.nextInt(max + 1)};
                    ImageCopies.writePng(ImageCopies.crop(image, m[0], m[1], m[2], m[3]), copies.resolve(copy));
                }
                default -> {
                    copy = name + "-exposed.png";
                    double gain = i % 8 == 3 ? 0.7 : 1.25;
                    double offset = i % 8 == 3 ? 40 : -30;
                    ImageCopies.writePng(ImageCopies.exposure(image, gain, offset), copies.resolve(copy));
                }
            }
            expected.add(new String[] {"orig/" + name + ".png", "copies/" + copy});
        }
        add("orig", "train");
        add("copies", "test");
        ok("commit", "-m", "originals in train, altered copies in test");

        CliResult r = Dsv.run(library, "--json", "leakage");
        assertEquals(1, r.exitCode(), r.toString());
        JsonNode report = r.json();
        assertEquals(0, report.path("exact_duplicates").path("count").asInt());
        Set<String> found = pairs(report);
        List<String> missed = new ArrayList<>();
        for (String[] e : expected) {
            if (!found.contains(e[0] + "|" + e[1])) {
                missed.add(e[1]);
            }
        }
        assertEquals(List.of(), missed, "copies not paired with their original: " + report.path("near_duplicates"));
        assertEquals(56, report.path("near_duplicates").path("descriptors_computed").asInt());
        for (JsonNode p : report.path("near_duplicates").path("pairs")) {
            assertFalse(p.path("a").path("split").asText().equals(p.path("b").path("split").asText()), p.toString());
        }
    }

    @Test
    void exactDuplicateUnderOtherPath() throws Exception {
        Images.copySample(tmp.resolve("a"), 3);
        Path b = tmp.resolve("b");
        Files.createDirectories(b);
        Files.copy(Images.sampleImages().get(1), b.resolve("renamed.png"));
        add("a", "train");
        add("b", "val");
        ok("commit", "-m", "one image twice");

        JsonNode report = Dsv.run(library, "--json", "leakage", "--no-near").json();
        JsonNode exact = report.path("exact_duplicates");
        assertEquals(1, exact.path("count").asInt(), report.toString());
        JsonNode finding = exact.path("findings").get(0);
        assertEquals(1, finding.path("splits").path("train").asInt());
        assertEquals(1, finding.path("splits").path("val").asInt());
        assertEquals("b/renamed.png", finding.path("examples").path("val").get(0).asText());
        assertTrue(report.path("near_duplicates").isNull());
    }

    @Test
    void groupLeakageByAttributeAndPattern() {
        Path train = tmp.resolve("train");
        Path test = tmp.resolve("test");
        Images.copySample(train, 4);
        List<Path> sample = Images.sampleImages();
        try {
            Files.createDirectories(test.resolve("mod-07"));
            Files.createDirectories(test.resolve("mod-09"));
            Files.copy(sample.get(10), test.resolve("mod-07").resolve("x.png"));
            Files.copy(sample.get(11), test.resolve("mod-09").resolve("y.png"));
            Files.createDirectories(train.resolve("mod-07"));
            Files.copy(sample.get(12), train.resolve("mod-07").resolve("z.png"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Images.writeLabels(tmp.resolve("train.csv"), "path,module_id", "cell0001.png,M1", "cell0002.png,M1",
                "cell0003.png,M2", "cell0004.png,", "mod-07/z.png,M3");
        Images.writeLabels(tmp.resolve("test.csv"), "path,module_id", "mod-07/x.png,M1", "mod-09/y.png,M3");
        add("train", "train", "--labels", "../train.csv");
        add("test", "test", "--labels", "../test.csv");
        ok("commit", "-m", "modules M1 and M3 in two splits");

        JsonNode byAttribute = Dsv.run(library, "--json", "leakage", "--no-near", "--group-key", "attr:module_id").json();
        JsonNode group = byAttribute.path("group_leakage");
        assertEquals("attr:module_id", group.path("key").asText());
        assertEquals(2, group.path("count").asInt(), group.toString());
        assertEquals(3, group.path("groups").asInt());
        assertEquals(1, group.path("unkeyed_images").asInt());
        assertEquals("M1", group.path("findings").get(0).path("group").asText(), "M1 has more images: worst first");

        JsonNode byPattern = Dsv.run(library, "--json", "leakage", "--no-near", "--group-pattern", "mod-([0-9]+)/").json();
        JsonNode pattern = byPattern.path("group_leakage");
        assertEquals(1, pattern.path("count").asInt(), pattern.toString());
        assertEquals("07", pattern.path("findings").get(0).path("group").asText());

        CliResult both = Dsv.run(library, "leakage", "--group-key", "a", "--group-pattern", "b");
        assertEquals(2, both.exitCode(), both.toString());
        CliResult badPattern = Dsv.run(library, "leakage", "--group-pattern", "mod-(");
        assertEquals(2, badPattern.exitCode(), badPattern.toString());
        assertTrue(badPattern.err().contains("mod-("), badPattern.toString());
        CliResult misspelt = Dsv.run(library, "leakage", "--no-near", "--group-key", "attr:modul_id");
        assertEquals(3, misspelt.exitCode(), misspelt.toString());
        assertTrue(misspelt.err().contains("modul_id"), misspelt.toString());
    }

    @Test
    void generatorInTwoSplits() {
        Images.copySample(tmp.resolve("s1"), 2);
        Path s2 = tmp.resolve("s2");
        List<Path> sample = Images.sampleImages();
        try {
            Files.createDirectories(s2);
            Files.copy(sample.get(20), s2.resolve("g.png"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ok("add", "../s1", "--cell-type", "mono", "--source", "synthetic", "--generator", "diffusion-a@1",
                "--labeler", "lab-01", "--split", "train", "--allow-implausible", "no profile in this test");
        ok("add", "../s2", "--cell-type", "mono", "--source", "synthetic", "--generator", "diffusion-a@1",
                "--labeler", "lab-01", "--split", "test", "--allow-implausible", "no profile in this test");
        ok("commit", "-m", "one generator in train and test");

        CliResult r = Dsv.run(library, "--json", "leakage", "--no-near");
        assertEquals(1, r.exitCode(), r.toString());
        JsonNode gen = r.json().path("generator_leakage");
        assertEquals(1, gen.path("count").asInt());
        assertEquals("diffusion-a@1", gen.path("findings").get(0).path("generator").asText());
        assertEquals(2, gen.path("findings").get(0).path("splits").path("train").asInt());
        assertEquals(1, gen.path("findings").get(0).path("splits").path("test").asInt());
    }

    @Test
    void descriptorsStoredOnceAndSurviveReindex() {
        Images.copySample(tmp.resolve("a"), 5);
        add("a", "train");
        ok("commit", "-m", "five images");
        Map<String, String> before = RepoSnapshot.of(library);

        JsonNode first = ok("--json", "descriptors").json();
        assertEquals(5, first.path("computed").asInt());
        assertEquals(0, first.path("reused").asInt());
        Path cache = library.resolve(".dsv/cache/descriptors.sqlite");
        assertTrue(Files.isRegularFile(cache));
        Map<String, String> after = RepoSnapshot.of(library);
        after.keySet().removeIf(k -> k.startsWith("cache/") || k.startsWith("index.sqlite"));
        before.keySet().removeIf(k -> k.startsWith("index.sqlite"));
        assertEquals(before, after, "only the cache changed");

        ok("reindex");
        assertTrue(Files.isRegularFile(cache));
        JsonNode second = ok("--json", "descriptors").json();
        assertEquals(0, second.path("computed").asInt());
        assertEquals(5, second.path("reused").asInt());
        JsonNode leak = ok("--json", "leakage").json();
        assertEquals(0, leak.path("near_duplicates").path("descriptors_computed").asInt());
        assertNotNull(leak.path("near_duplicates").path("candidate_pairs"));
    }

    @Test
    void unknownRevisionFails() {
        CliResult r = Dsv.run(library, "leakage", "nosuchbranch");
        assertEquals(5, r.exitCode(), r.toString());
    }
}
