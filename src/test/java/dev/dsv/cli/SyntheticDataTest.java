package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Session;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ReviewFlow;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synthetic images: recording, the plausibility filter at add, the profile and check commands,
 * the three synthetic-data gates at promotion and the same rules at export.
 */
class SyntheticDataTest {
    @TempDir
    Path tmp;

    Path library;

    /** The 30 mono images of the bundled sample, in name order. */
    List<Path> monoSample;

    @BeforeEach
    void setUp() throws IOException {
        library = tmp.resolve("lib");
        ok(tmp, "init", "lib");
        ok("switch", "-c", "work");
        Map<String, ElpvLabels.Row> labels = ElpvLabels.read();
        monoSample = Images.sampleImages().stream()
                .filter(p -> labels.get(p.getFileName().toString()).cellType().equals("mono")).toList();
        assertEquals(30, monoSample.size());
    }

    private CliResult ok(String... args) {
        return ok(library, args);
    }

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private Path copy(String folder, List<Path> files) throws IOException {
        Path dir = tmp.resolve(folder);
        Files.createDirectories(dir);
        for (Path f : files) {
            Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    /**
     * Commits the real mono sample: the first {@code train} images in the train split, the rest
     * in val, and records a profile from that commit.
     */
    private void commitRealAndProfile(int train) throws IOException {
        ok("add", copy("real-train", monoSample.subList(0, train)).toString(), "--cell-type", "mono",
                "--source", "production", "--split", "train", "--labeler", "lab-01");
        ok("add", copy("real-val", monoSample.subList(train, monoSample.size())).toString(), "--cell-type", "mono",
                "--source", "production", "--split", "val", "--labeler", "lab-01");
        ok("commit", "-m", "real mono");
        ok("check", "profile");
    }

    /** Returns full-set mono ELPV images outside the sample that pass the recorded mono profile. */
    private List<Path> plausibleMonoImages(int count) {
        Set<String> sample = Images.sampleImages().stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        List<String> args = new ArrayList<>(List.of("--json", "check", "plausibility", "--cell-type", "mono"));
        ElpvLabels.read().values().stream()
                .filter(r -> r.cellType().equals("mono") && !sample.contains(r.file()))
                .limit(count * 2L + 10)
                .forEach(r -> args.add(Images.ELPV.resolve("images").resolve(r.file()).toString()));
        CliResult r = Dsv.run(library, args.toArray(String[]::new));
        List<Path> passing = new ArrayList<>();
        for (JsonNode image : r.json().path("images")) {
            if (image.path("passed").asBoolean() && passing.size() < count) {
                passing.add(Path.of(image.path("path").asText()));
            }
        }
        assertEquals(count, passing.size(), r.toString());
        return passing;
    }

    private void addSynthetic(String folder, List<Path> files, String split, String generator) throws IOException {
        ok("add", copy(folder, files).toString(), "--cell-type", "mono", "--source", "synthetic", "--generator",
                generator, "--split", split, "--labeler", "gen-bot");
    }

    private JsonNode gate(JsonNode report, String name) {
        for (JsonNode g : report.path("gates")) {
            if (g.path("gate").asText().equals(name)) {
                return g;
            }
        }
        throw new AssertionError("no gate " + name + " in " + report);
    }

    /** Commits the stage, passes its review sample and returns the dry-run promotion report. */
    private CliResult commitAndDryRun(String message) {
        ok("commit", "-m", message);
        review("work");
        return Dsv.run(library, "--json", "promote", "work", "--dry-run");
    }

    private static Path flatGrayPng(Path file) throws IOException {
        BufferedImage image = new BufferedImage(300, 300, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 300; x++) {
                raster.setSample(x, y, 0, 128);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static List<MetaRecord> records(Path library, String kind) {
        try (Session session = Session.open(library)) {
            List<MetaRecord> out = new ArrayList<>();
            for (ObjectId id : session.repository().metadataLog().ids()) {
                MetaRecord r = session.repository().metadataLog().read(id);
                if (r.kind().equals(kind)) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    @Test
    void profileRecordedAndRevisionChecked() throws IOException {
        commitRealAndProfile(20);
        List<MetaRecord> profiles = records(library, MetaKinds.PLAUSIBILITY_PROFILE);
        assertEquals(1, profiles.size());
        assertNotNull(((Map<?, ?>) profiles.get(0).body().get("cell_types")).get("mono"));

        JsonNode again = ok("--json", "check", "profile", "HEAD").json();
        assertEquals(30, again.path("cell_types").path("mono").path("measured").asInt());
        JsonNode contrast = again.path("cell_types").path("mono").path("measures").path("contrast_rms");
        assertTrue(contrast.path("low").asDouble() < contrast.path("median").asDouble(), contrast.toString());
        assertTrue(contrast.path("median").asDouble() < contrast.path("high").asDouble(), contrast.toString());
        assertEquals(2, records(library, MetaKinds.PLAUSIBILITY_PROFILE).size());

        addSynthetic("syn", plausibleMonoImages(2), "train", "gan-a@1");
        ok("commit", "-m", "synthetic");
        JsonNode check = ok("--json", "check", "plausibility", "HEAD").json();
        assertEquals(2, check.path("checked").asInt());
        assertEquals(0, check.path("failed").asInt());
    }

    @Test
    void addRejectsHugeSyntheticHeader() throws IOException {
        commitRealAndProfile(20);
        Path folder = tmp.resolve("huge");
        Files.createDirectories(folder);
        java.io.ByteArrayOutputStream small = new java.io.ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", small);
        Files.write(folder.resolve("bomb.png"),
                dev.dsv.testing.HeaderEdit.declaring(small.toByteArray(), "png", 60000, 60000));

        CliResult r = Dsv.run(library, "add", folder.toString(), "--cell-type", "mono", "--source", "synthetic",
                "--generator", "gan-a@1", "--labeler", "gen-bot");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("bomb.png"), r.err());
        assertTrue(r.err().contains("60000 x 60000"), r.err());
        String status = ok("status").out();
        assertFalse(status.contains("bomb.png"), status);
    }

    @Test
    void addDiscardsImplausibleSynthetic() throws IOException {
        commitRealAndProfile(20);
        Path folder = tmp.resolve("syn");
        flatGrayPng(folder.resolve("flat.png"));
        Files.copy(plausibleMonoImages(1).get(0), folder.resolve("good.png"));

        CliResult r = ok("--json", "add", folder.toString(), "--cell-type", "mono", "--source", "synthetic",
                "--generator", "gan-a@1", "--labeler", "gen-bot");
        JsonNode doc = r.json();
        assertEquals(1, doc.path("added").asInt());
        assertEquals(1, doc.path("discarded").size());
        JsonNode discarded = doc.path("discarded").get(0);
        assertEquals("syn/flat.png", discarded.path("path").asText());
        List<String> measures = new ArrayList<>();
        discarded.path("failures").forEach(f -> measures.add(f.path("measure").asText()));
        assertTrue(measures.contains("contrast_rms"), measures.toString());
        String listing = ok("status").out();
        assertTrue(listing.contains("syn/good.png"), listing);
        assertFalse(listing.contains("syn/flat.png"), listing);
        assertEquals(0, records(library, MetaKinds.OVERRIDE).size());
    }

    @Test
    void overrideStagesAndRecords() throws IOException {
        commitRealAndProfile(20);
        Path folder = tmp.resolve("syn");
        flatGrayPng(folder.resolve("flat.png"));

        JsonNode doc = ok("--json", "add", folder.toString(), "--cell-type", "mono", "--source", "synthetic",
                "--generator", "gan-a@1", "--labeler", "gen-bot", "--allow-implausible", "edge case study").json();
        assertEquals(1, doc.path("added").asInt());
        assertEquals(1, doc.path("overridden").size());
        assertTrue(ok("status").out().contains("syn/flat.png"));

        List<MetaRecord> overrides = records(library, MetaKinds.OVERRIDE);
        assertEquals(1, overrides.size());
        Map<String, Object> body = overrides.get(0).body();
        assertEquals("plausibility", body.get("check"));
        assertEquals("edge case study", body.get("reason"));
        assertEquals(doc.path("override_record").asText().length(), 64);
        assertTrue(body.get("images").toString().contains("syn/flat.png"), body.toString());
    }

    @Test
    void sixteenBitSyntheticAccepted() throws IOException {
        commitRealAndProfile(20);
        BufferedImage real = ImageIO.read(plausibleMonoImages(1).get(0).toFile());
        BufferedImage wide = new BufferedImage(real.getWidth(), real.getHeight(), BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < real.getHeight(); y++) {
            for (int x = 0; x < real.getWidth(); x++) {
                wide.getRaster().setSample(x, y, 0, real.getRaster().getSample(x, y, 0) * 257);
            }
        }
        Path folder = tmp.resolve("syn16");
        Files.createDirectories(folder);
        ImageIO.write(wide, "png", folder.resolve("wide.png").toFile());

        JsonNode doc = ok("--json", "add", folder.toString(), "--cell-type", "mono", "--source", "synthetic",
                "--generator", "gan-a@1", "--labeler", "gen-bot").json();
        assertEquals(1, doc.path("added").asInt());
        assertEquals(0, doc.path("discarded").size());
    }

    @Test
    void missingGeneratorOrProfileRejected() throws IOException {
        commitRealAndProfile(20);
        Path folder = copy("syn", plausibleMonoImages(2));
        Path csv = Images.writeLabels(tmp.resolve("labels.csv"), "path,cell_type,source,generator,labeler",
                folder.getFileName() + "/x", "");
        Files.writeString(csv, "path,cell_type,source,generator,labeler\n"
                + files(folder).get(0) + ",mono,synthetic,gan-a@1,bot\n"
                + files(folder).get(1) + ",mono,synthetic,,bot\n");
        Map<String, String> before = RepoSnapshot.of(library);

        CliResult noGenerator = Dsv.run(library, "add", folder.toString(), "--labels", csv.toString());
        assertEquals(3, noGenerator.exitCode(), noGenerator.toString());
        assertTrue(noGenerator.err().contains("labels.csv:3"), noGenerator.toString());
        assertEquals(before, RepoSnapshot.of(library));

        CliResult noVersion = Dsv.run(library, "add", folder.toString(), "--cell-type", "mono", "--source", "synthetic",
                "--generator", "gan-a", "--labeler", "bot");
        assertEquals(3, noVersion.exitCode(), noVersion.toString());
        assertTrue(noVersion.err().contains("NAME@VERSION"), noVersion.toString());
        assertEquals(before, RepoSnapshot.of(library));

        CliResult noProfile = Dsv.run(library, "add", folder.toString(), "--cell-type", "poly", "--source", "synthetic",
                "--generator", "gan-a@1", "--labeler", "bot");
        assertEquals(3, noProfile.exitCode(), noProfile.toString());
        assertTrue(noProfile.err().contains("dsv check profile"), noProfile.toString());
        assertEquals(before, RepoSnapshot.of(library));
    }

    private static List<String> files(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void ratioGateFailsAtFortyPassesAtTwenty() throws IOException {
        commitRealAndProfile(6);
        List<Path> synthetic = plausibleMonoImages(4);
        addSynthetic("syn-a", synthetic.subList(0, 2), "train", "gan-a@1");
        addSynthetic("syn-b", synthetic.subList(2, 3), "train", "gan-b@2");
        addSynthetic("syn-c", synthetic.subList(3, 4), "train", "diffusion-c@0.9");

        CliResult failed = commitAndDryRun("40% synthetic");
        assertEquals(1, failed.exitCode(), failed.toString());
        JsonNode ratio = gate(failed.json(), "synthetic-ratio");
        assertFalse(ratio.path("passed").asBoolean());
        assertEquals("mono/none: 4 synthetic of 10 train images (40.0%)", ratio.path("examples").get(0).asText());
        assertTrue(gate(failed.json(), "generator-diversity").path("passed").asBoolean());

        List<String> valPaths = new ArrayList<>();
        for (Path p : monoSample.subList(6, 16)) {
            valPaths.add("real-val/" + p.getFileName());
        }
        List<String> set = new ArrayList<>(List.of("set"));
        set.addAll(valPaths);
        set.addAll(List.of("--split", "train"));
        ok(set.toArray(String[]::new));
        CliResult passed = commitAndDryRun("20% synthetic");
        assertEquals(0, passed.exitCode(), passed.toString());
        assertTrue(gate(passed.json(), "synthetic-ratio").path("passed").asBoolean());
    }

    @Test
    void diversityGateNeedsThreeGenerators() throws IOException {
        commitRealAndProfile(20);
        List<Path> synthetic = plausibleMonoImages(3);
        addSynthetic("syn-a", synthetic.subList(0, 1), "train", "gan-a@1");
        addSynthetic("syn-a2", synthetic.subList(1, 2), "train", "gan-a@2");
        CliResult oneName = commitAndDryRun("two versions of one generator");
        JsonNode diversity = gate(oneName.json(), "generator-diversity");
        assertFalse(diversity.path("passed").asBoolean());
        assertEquals("mono/none: 2 synthetic images from 1 generator [gan-a]", diversity.path("examples").get(0).asText());

        addSynthetic("syn-b", synthetic.subList(2, 3), "train", "gan-b@1");
        CliResult two = commitAndDryRun("two generators");
        assertEquals(1, two.exitCode(), two.toString());
        assertEquals("mono/none: 3 synthetic images from 2 generators [gan-a, gan-b]",
                gate(two.json(), "generator-diversity").path("examples").get(0).asText());

        List<Path> more = plausibleMonoImages(4).subList(3, 4);
        addSynthetic("syn-c", more, "train", "diffusion-c@1");
        CliResult three = commitAndDryRun("three generators");
        assertEquals(0, three.exitCode(), three.toString());
        assertTrue(gate(three.json(), "generator-diversity").path("passed").asBoolean());
    }

    @Test
    void testSplitMustBeReal() throws IOException {
        commitRealAndProfile(20);
        List<Path> synthetic = plausibleMonoImages(1);
        addSynthetic("syn-test", synthetic, "test", "gan-a@1");
        CliResult r = commitAndDryRun("synthetic in test");
        assertEquals(1, r.exitCode(), r.toString());
        JsonNode testIsReal = gate(r.json(), "test-is-real");
        assertFalse(testIsReal.path("passed").asBoolean());
        assertEquals(1, testIsReal.path("offending").asInt());
        assertEquals("syn-test/" + synthetic.get(0).getFileName() + " (gan-a@1)",
                testIsReal.path("examples").get(0).asText());
    }

    @Test
    void exportRejectsForbiddenTrainSet() throws IOException {
        commitRealAndProfile(6);
        List<Path> synthetic = plausibleMonoImages(4);
        addSynthetic("syn-a", synthetic.subList(0, 2), "train", "gan-a@1");
        addSynthetic("syn-b", synthetic.subList(2, 3), "train", "gan-b@1");
        addSynthetic("syn-c", synthetic.subList(3, 4), "train", "gan-c@1");
        ok("commit", "-m", "40% synthetic");
        Map<String, String> before = RepoSnapshot.of(library);

        Path out = tmp.resolve("export");
        CliResult refused = Dsv.run(library, "export", "--out", out.toString(), "--split", "train");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("mono/none: 4 synthetic of 10 train images (40.0%)"), refused.toString());
        assertFalse(Files.exists(out));
        assertEquals(before, RepoSnapshot.of(library));

        ok("export", "--out", out.toString(), "--split", "train", "--no-policy", "ablation: all synthetic kept");
        JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("dsv-export.json").toFile());
        assertEquals("skipped", meta.path("policy").path("status").asText());
        assertEquals("ablation: all synthetic kept", meta.path("policy").path("reason").asText());

        Path valOnly = tmp.resolve("export-val");
        ok("export", "--out", valOnly.toString(), "--split", "val");
        JsonNode valMeta = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(valOnly.resolve("dsv-export.json").toFile());
        assertEquals("not-applicable", valMeta.path("policy").path("status").asText());
    }

    @Test
    void branchPolicyCannotDropExportRules() throws IOException {
        commitRealAndProfile(6);
        List<Path> synthetic = plausibleMonoImages(4);
        addSynthetic("syn-a", synthetic.subList(0, 2), "train", "gan-a@1");
        addSynthetic("syn-b", synthetic.subList(2, 3), "train", "gan-b@1");
        addSynthetic("syn-c", synthetic.subList(3, 4), "train", "gan-c@1");
        ok("commit", "-m", "40% synthetic");
        // The branch drops the synthetic gates and allows 90% synthetic; main's rules still apply.
        Path lax = tmp.resolve("lax.json");
        Files.writeString(lax, "{\"gates\": [\"verified\"], \"settings\": {\"synthetic.max_ratio\": 0.9}}");
        ok("policy", "--set", lax.toString());
        Map<String, String> before = RepoSnapshot.of(library);
        Path out = tmp.resolve("export");
        CliResult refused = Dsv.run(library, "export", "--out", out.toString(), "--split", "train");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("mono/none: 4 synthetic of 10 train images (40.0%)"), refused.toString());
        assertFalse(Files.exists(out));
        assertEquals(before, RepoSnapshot.of(library));

        // A stricter branch setting wins: main allows 30% synthetic, the branch 10%.
        Files.writeString(lax, "{\"gates\": [\"synthetic-ratio\"], \"settings\": {\"synthetic.max_ratio\": 0.1}}");
        ok("policy", "--set", lax.toString());
        CliResult strict = Dsv.run(library, "export", "--out", out.toString(), "--split", "train");
        assertEquals(1, strict.exitCode(), strict.toString());
        assertTrue(strict.err().contains("10.0%"), strict.toString());

        ok("export", "--out", out.toString(), "--split", "train", "--no-policy", "ablation: all synthetic kept");
        JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("dsv-export.json").toFile());
        assertEquals("skipped", meta.path("policy").path("status").asText());
        assertEquals(64, meta.path("policy").path("protected_policies").path("main").asText().length());
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
