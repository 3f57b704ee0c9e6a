package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ReviewFlow;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.ImageCopies;
import dev.dsv.testing.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on ELPV images: a branch brings every kind of leakage and synthetic-data problem at
 * once, promotion into main fails naming each, and passes once each is fixed. The library is the
 * poly cells among every tenth ELPV image, eight consecutive ones per module (the module ids are
 * assigned here). Poly cells, because defect-free mono cells look so alike that the near-duplicate
 * check pairs many of them (docs/leakage.md), which would bury the planted copies.
 */
class LeakageAcceptanceTest {
    @TempDir
    Path tmp;

    Path library;

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    /** Promotes work into main and returns the failed gates with their reports, in report order. */
    private Map<String, JsonNode> promote(boolean expectPass, String... extra) {
        review("work");
        List<String> args = new ArrayList<>(List.of("--json", "promote", "work"));
        args.addAll(List.of(extra));
        CliResult r = Dsv.run(library, args.toArray(String[]::new));
        assertEquals(expectPass ? 0 : 1, r.exitCode(), r.toString());
        Map<String, JsonNode> failed = new LinkedHashMap<>();
        for (JsonNode g : r.json().path("gates")) {
            if (!g.path("passed").asBoolean()) {
                failed.put(g.path("gate").asText(), g);
            }
        }
        return failed;
    }

    private List<String> paths(String... filter) {
        List<String> args = new ArrayList<>(List.of("--json", "ls"));
        args.addAll(List.of(filter));
        List<String> out = new ArrayList<>();
        for (JsonNode i : ok(args.toArray(String[]::new)).json().path("images")) {
            out.add(i.path("path").asText());
        }
        return out;
    }

    /**
     * A synthetic image made from a real one: mirrored, slightly re-exposed, with a little noise.
     * The mirror keeps it from being a near copy of its source or of a neighbouring cell.
     */
    private static BufferedImage perturb(BufferedImage image, Random random) {
        BufferedImage out = ImageCopies.exposure(mirror(image), 0.97 + 0.06 * random.nextDouble(), random.nextInt(7) - 3);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                int v = out.getRaster().getSample(x, y, 0) + random.nextInt(5) - 2;
                out.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, v)));
            }
        }
        return out;
    }

    private static BufferedImage mirror(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                out.getRaster().setSample(image.getWidth() - 1 - x, y, 0, image.getRaster().getSample(x, y, 0));
            }
        }
        return out;
    }

    /** Returns "a|b" for every near-duplicate pair that dsv leakage reports at HEAD, both orders. */
    private Map<String, java.util.Set<String>> nearPairs() {
        Map<String, java.util.Set<String>> out = new TreeMap<>();
        for (JsonNode p : Dsv.run(library, "--json", "leakage").json().path("near_duplicates").path("pairs")) {
            String a = p.path("a").path("path").asText();
            String b = p.path("b").path("path").asText();
            out.computeIfAbsent(a, k -> new java.util.TreeSet<>()).add(b);
            out.computeIfAbsent(b, k -> new java.util.TreeSet<>()).add(a);
        }
        return out;
    }

    private void addSynthetic(Path folder, String split, Map<String, String> generatorByFile) throws Exception {
        StringBuilder csv = new StringBuilder("path,generator,split\n");
        generatorByFile.forEach((file, gen) -> csv.append(file).append(',').append(gen).append(',').append(split)
                .append('\n'));
        Path labels = folder.resolveSibling(folder.getFileName() + ".csv");
        Files.writeString(labels, csv.toString());
        ok("add", folder.toString(), "--labels", labels.toString(), "--prefix", "synthetic/" + folder.getFileName(),
                "--cell-type", "poly", "--source", "synthetic", "--labeler", "gen-bot");
    }

    @Test
    void everyProblemNamedThenFixed() throws Exception {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        ok("switch", "-c", "work");
        Path images = Images.ELPV.resolve("images");
        List<ElpvLabels.Row> all = new ArrayList<>(ElpvLabels.read().values());
        StringBuilder csv = new StringBuilder("path,cell_type,defects,module_id\n");
        int kept = 0;
        for (int i = 0; i < all.size(); i++) {
            ElpvLabels.Row r = all.get(i);
            if (i % 10 != 0 || !r.cellType().equals("poly")) {
                continue;
            }
            csv.append(r.file()).append(',').append(r.cellType()).append(',')
                    .append(r.defect().equals("none") ? "" : r.defect()).append(",M").append(kept++ / 8).append('\n');
        }
        Path subset = tmp.resolve("cells");
        Files.createDirectories(subset);
        for (String line : csv.toString().split("\n")) {
            String file = line.split(",")[0];
            if (!file.equals("path")) {
                Files.copy(images.resolve(file), subset.resolve(file));
            }
        }
        Files.writeString(tmp.resolve("cells.csv"), csv.toString());
        ok("add", "../cells", "--labels", "../cells.csv", "--source", "production", "--labeler", "elpv");
        ok("commit", "-m", "poly ELPV cells");
        ok("split", "--group-key", "attr:module_id", "--ratios", "0.8,0.1,0.1", "--seed", "acceptance",
                "--stratify", "cell-type,defect");
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, "{\"gates\": [\"verified\", \"known-vocabulary\", \"provenance-complete\","
                + " \"synthetic-ratio\", \"test-is-real\", \"generator-diversity\", \"exact-duplicates\","
                + " \"generator-leakage\", \"near-duplicates\", \"group-leakage\"],"
                + " \"settings\": {\"leakage.group_key\": \"attr:module_id\"}}");
        ok("policy", "--branch", "work", "--set", policy.toString());
        review("work~1");
        // Look-alike cells the check already pairs are removed first, as a team would.
        java.util.Set<String> drop = new java.util.TreeSet<>();
        nearPairs().forEach((a, partners) -> {
            if (!drop.contains(a) && partners.stream().noneMatch(drop::contains)) {
                drop.add(a);
            }
        });
        if (!drop.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm"));
            rm.addAll(drop);
            ok(rm.toArray(String[]::new));
            ok("commit", "-m", "drop look-alike cells");
            review("work~1");
        }
        assertEquals(Map.of(), promote(true, "--accept-policy-change"),
                "a clean split passes and brings the leakage policy to main (it drops gates of main's, so it is accepted)");
        ok("check", "profile");

        // Leaks: re-encoded and cropped copies of train cells, and two cells of a train module, in test.
        List<String> train = paths("--split", "train");
        Path leak = tmp.resolve("leak");
        Files.createDirectories(leak);
        StringBuilder leakCsv = new StringBuilder("path,module_id\n");
        String[] copied = {train.get(3), train.get(30), train.get(57), train.get(84), train.get(111)};
        for (int i = 0; i < copied.length; i++) {
            BufferedImage original = ImageCopies.read(subset.resolve(copied[i].substring("cells/".length())));
            String name = "copy" + i + (i < 3 ? ".jpg" : ".png");
            if (i < 3) {
                ImageCopies.writeJpeg(original, 0.7f, leak.resolve(name));
            } else {
                ImageCopies.writePng(ImageCopies.crop(original, 9, 4, 2, 7), leak.resolve(name));
            }
            leakCsv.append(name).append(",X").append(i).append('\n');
        }
        String trainModule = ok("--json", "show", "HEAD:" + train.get(0)).json().path("image").path("attributes")
                .path("module_id").asText();
        List<ElpvLabels.Row> polyOffset = new ArrayList<>();
        for (int i = 5; i < all.size(); i += 10) {
            if (all.get(i).cellType().equals("poly")) {
                polyOffset.add(all.get(i));
            }
        }
        for (int i = 0; i < 2; i++) {
            ImageCopies.writePng(mirror(ImageCopies.read(images.resolve(polyOffset.get(polyOffset.size() - 1 - i).file()))),
                    leak.resolve("same-module" + i + ".png"));
            leakCsv.append("same-module").append(i).append(".png,").append(trainModule).append('\n');
        }
        Files.writeString(tmp.resolve("leak.csv"), leakCsv.toString());
        ok("add", "../leak", "--labels", "../leak.csv", "--cell-type", "poly", "--source", "production",
                "--labeler", "lab-01", "--split", "test");

        // Synthetic: 20% of the train class poly x none from two generators, and one image in test.
        List<ElpvLabels.Row> polyClean = polyOffset.stream().filter(r -> r.defect().equals("none")).toList();
        int real = paths("--split", "train", "--cell-type", "poly", "--defect", "none").size();
        int fifth = (real + 3) / 4;
        Random random = new Random(5);
        Path synthA = tmp.resolve("round1");
        Files.createDirectories(synthA);
        Map<String, String> gens = new TreeMap<>();
        for (int i = 0; i < fifth; i++) {
            String file = "s" + i + ".png";
            ImageCopies.writePng(perturb(ImageCopies.read(images.resolve(polyClean.get(i).file())), random),
                    synthA.resolve(file));
            gens.put(file, i % 2 == 0 ? "gan-a@1" : "diffusion-b@3");
        }
        addSynthetic(synthA, "train", gens);
        Path synthTest = tmp.resolve("in-test");
        Files.createDirectories(synthTest);
        ImageCopies.writePng(perturb(ImageCopies.read(images.resolve(polyClean.get(polyClean.size() - 1).file())), random),
                synthTest.resolve("t0.png"));
        addSynthetic(synthTest, "test", Map.of("t0.png", "gan-a@1"));
        ok("commit", "-m", "copies, a shared module and synthetic images");

        Map<String, JsonNode> failed = promote(false);
        assertEquals(List.of("test-is-real", "generator-diversity", "generator-leakage", "near-duplicates",
                "group-leakage"), new ArrayList<>(failed.keySet()));
        assertTrue(failed.get("near-duplicates").path("examples").get(0).asText().contains("leak/copy"),
                failed.get("near-duplicates").toString());
        Map<String, java.util.Set<String>> pairs = nearPairs();
        for (int i = 0; i < copied.length; i++) {
            String copy = "leak/copy" + i + (i < 3 ? ".jpg" : ".png");
            assertTrue(pairs.getOrDefault(copy, java.util.Set.of()).contains(copied[i]),
                    "copy " + i + " paired with its original " + copied[i] + ": " + pairs);
        }
        assertTrue(failed.get("group-leakage").path("examples").get(0).asText().startsWith("group " + trainModule),
                failed.get("group-leakage").toString());
        assertTrue(failed.get("test-is-real").path("examples").toString().contains("t0.png"));
        assertTrue(failed.get("generator-leakage").path("examples").get(0).asText().contains("gan-a@1"));
        assertTrue(failed.get("generator-diversity").path("examples").toString().contains("2 generators"),
                failed.get("generator-diversity").toString());

        // Fix the leaks and the test split; a third generator brings the class to 40% synthetic.
        ok("rm", "leak/copy0.jpg", "leak/copy1.jpg", "leak/copy2.jpg", "leak/copy3.png", "leak/copy4.png");
        ok("set", "leak/same-module0.png", "leak/same-module1.png", "--split", "train");
        ok("rm", "synthetic/in-test");
        int fortyPercent = (int) Math.ceil(real * 2 / 3.0);
        Path synthB = tmp.resolve("round2");
        Files.createDirectories(synthB);
        Map<String, String> third = new TreeMap<>();
        for (int i = fifth; i < fortyPercent; i++) {
            String file = "s" + i + ".png";
            ImageCopies.writePng(perturb(ImageCopies.read(images.resolve(polyClean.get(i).file())), random),
                    synthB.resolve(file));
            third.put(file, "stylegan-c@2");
        }
        addSynthetic(synthB, "train", third);
        ok("commit", "-m", "fix leaks; a third generator at 40%");
        failed = promote(false);
        assertEquals(List.of("synthetic-ratio"), new ArrayList<>(failed.keySet()), failed.toString());
        assertTrue(failed.get("synthetic-ratio").path("examples").toString().contains("poly/none"),
                failed.get("synthetic-ratio").toString());

        // Back under 30%: keep three generators, drop the surplus of the third.
        int allowed = (int) Math.floor(real * 0.3 / 0.7);
        List<String> surplus = new ArrayList<>();
        List<String> round2 = paths("--path", "synthetic/round2");
        for (int i = 0; i < fortyPercent - allowed; i++) {
            surplus.add(round2.get(i));
        }
        List<String> rm = new ArrayList<>(List.of("rm"));
        rm.addAll(surplus);
        ok(rm.toArray(String[]::new));
        ok("commit", "-m", "synthetic share back to " + allowed + " of " + (real + allowed));
        assertEquals(Map.of(), promote(true));
    }

    private boolean verifierAdded;

    /** Samples a revision and passes every sampled label record, as a verifier would before a promotion. */
    private void review(String rev) {
        if (!verifierAdded) {
            ReviewFlow.addVerifier(Dsv::run, library, "senior-01");
            verifierAdded = true;
        }
        ReviewFlow.passAll(Dsv::run, library, rev, "senior-01");
    }
}
