package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ReviewFlow;
import dev.dsv.testing.ImageCopies;
import dev.dsv.testing.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leakage gates fail a promotion that brings a leak and pass once it is fixed. */
class LeakageGatesTest {
    @TempDir
    Path tmp;

    Path library;
    List<Path> sample;

    @BeforeEach
    void setUp() throws Exception {
        library = tmp.resolve("lib");
        sample = Images.sampleImages();
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        ok("switch", "-c", "work");
        Path base = tmp.resolve("base");
        Files.createDirectories(base);
        StringBuilder csv = new StringBuilder("path,module_id\n");
        for (int i = 0; i < 12; i++) {
            Path p = sample.get(i);
            Files.copy(p, base.resolve(p.getFileName()));
            csv.append(p.getFileName()).append(",M").append(i / 3).append('\n');
        }
        Files.writeString(tmp.resolve("base.csv"), csv.toString());
        ok("add", "../base", "--labels", "../base.csv", "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01", "--split", "train");
        ok("commit", "-m", "base in train");
        promoteOk();
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private void promoteOk(String... extra) {
        review("work");
        List<String> args = new ArrayList<>(List.of("--json", "promote", "work"));
        args.addAll(List.of(extra));
        JsonNode r = ok(args.toArray(String[]::new)).json();
        assertTrue(r.path("promoted").asBoolean(), r.toString());
    }

    /** Promotes and expects exactly the named gates to fail; returns the failed gates' reports. */
    private List<JsonNode> promoteFails(String... gates) {
        review("work");
        CliResult r = Dsv.run(library, "--json", "promote", "work");
        assertEquals(1, r.exitCode(), r.toString());
        List<String> failed = new ArrayList<>();
        List<JsonNode> reports = new ArrayList<>();
        for (JsonNode g : r.json().path("gates")) {
            if (!g.path("passed").asBoolean()) {
                failed.add(g.path("gate").asText());
                reports.add(g);
            }
        }
        assertEquals(List.of(gates), failed, r.out());
        return reports;
    }

    private void addFolder(String name, String split) {
        ok("add", "../" + name, "--cell-type", "mono", "--source", "production", "--labeler", "lab-01", "--split", split);
    }

    @Test
    void exactDuplicateGateOnByDefault() throws Exception {
        Path dup = tmp.resolve("dup");
        Files.createDirectories(dup);
        Files.copy(sample.get(4), dup.resolve("again.png"));
        addFolder("dup", "test");
        ok("commit", "-m", "an image of train again in test");
        JsonNode gate = promoteFails("exact-duplicates").get(0);
        assertEquals(1, gate.path("offending").asInt());
        assertTrue(gate.path("examples").get(0).asText().contains("dup/again.png"), gate.toString());

        ok("rm", "dup");
        ok("commit", "-m", "drop the duplicate");
        promoteOk();
    }

    @Test
    void generatorGateOnByDefault() throws Exception {
        // Three generators, so that the synthetic-data gates pass; gan-a also has an image in val.
        Path gen = tmp.resolve("gen");
        Files.createDirectories(gen);
        for (int i = 0; i < 4; i++) {
            Files.copy(sample.get(30 + i), gen.resolve("s" + i + ".png"));
        }
        Images.writeLabels(tmp.resolve("gen.csv"), "path,split,generator", "s0.png,train,gan-a@1",
                "s1.png,val,gan-a@1", "s2.png,train,gan-b@1", "s3.png,train,gan-c@2");
        ok("add", "../gen", "--labels", "../gen.csv", "--cell-type", "mono", "--source", "synthetic",
                "--labeler", "lab-01", "--allow-implausible", "no plausibility profile in this test");
        ok("commit", "-m", "generator gan-a in train and val");
        JsonNode gate = promoteFails("generator-leakage").get(0);
        assertTrue(gate.path("examples").get(0).asText().contains("gan-a@1"), gate.toString());

        ok("set", "gen/s1.png", "--split", "train");
        ok("commit", "-m", "keep gan-a in train");
        promoteOk();
    }

    @Test
    void groupAndNearGatesOnceEnabled() throws Exception {
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, "{\"gates\": [\"verified\", \"known-vocabulary\", \"provenance-complete\","
                + " \"exact-duplicates\", \"generator-leakage\", \"near-duplicates\", \"group-leakage\"],"
                + " \"settings\": {\"leakage.group_key\": \"attr:module_id\"}}");
        ok("policy", "--branch", "work", "--set", policy.toString());
        Path clean = tmp.resolve("clean");
        Files.createDirectories(clean);
        Files.copy(sample.get(40), clean.resolve("new.png"));
        Images.writeLabels(tmp.resolve("clean.csv"), "path,module_id", "new.png,M9");
        ok("add", "../clean", "--labels", "../clean.csv", "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01", "--split", "test");
        ok("commit", "-m", "a new module in test");
        promoteOk("--accept-policy-change");
        assertEquals(7, ok("--json", "policy", "--branch", "main").json().path("gates").size());

        // A crop of a train image and a cell of train module M1 arrive in test.
        Path leak = tmp.resolve("leak");
        Files.createDirectories(leak);
        BufferedImage image = ImageCopies.read(sample.get(2));
        ImageCopies.writePng(ImageCopies.crop(image, 12, 3, 0, 9), leak.resolve("cropped.png"));
        Files.copy(sample.get(45), leak.resolve("module-m1.png"));
        Images.writeLabels(tmp.resolve("leak.csv"), "path,module_id", "cropped.png,M50", "module-m1.png,M1");
        ok("add", "../leak", "--labels", "../leak.csv", "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01", "--split", "test");
        ok("commit", "-m", "leaks into test");
        List<JsonNode> failed = promoteFails("near-duplicates", "group-leakage");
        assertTrue(failed.get(0).path("examples").toString().contains("leak/cropped.png"), failed.get(0).toString());
        assertTrue(failed.get(0).path("examples").toString().contains("base/" + sample.get(2).getFileName()),
                failed.get(0).toString());
        assertTrue(failed.get(1).path("examples").get(0).asText().startsWith("group M1"), failed.get(1).toString());
        assertFalse(failed.get(1).path("examples").toString().contains("M50"));

        ok("rm", "leak/cropped.png");
        ok("set", "leak/module-m1.png", "--split", "train");
        ok("commit", "-m", "drop the crop, move the M1 cell to train");
        promoteOk();
    }

    @Test
    void groupGateWithoutKeyFails() throws Exception {
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, "{\"gates\": [\"verified\", \"group-leakage\"]}");
        ok("policy", "--branch", "work", "--set", policy.toString());
        Files.createDirectories(tmp.resolve("more"));
        Files.copy(sample.get(50), tmp.resolve("more").resolve("x.png"));
        addFolder("more", "val");
        ok("commit", "-m", "more");
        promoteOk("--accept-policy-change");

        Files.copy(sample.get(51), tmp.resolve("more").resolve("y.png"));
        addFolder("more", "val");
        ok("commit", "-m", "one more");
        JsonNode gate = promoteFails("group-leakage").get(0);
        assertTrue(gate.path("examples").get(0).asText().contains("leakage.group_key"), gate.toString());
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
