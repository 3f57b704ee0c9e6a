package dev.dsv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Defect;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.MetadataLog;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.testing.LabelingSimulation.GoldScore;
import dev.dsv.testing.LabelingSimulation.Judgement;
import dev.dsv.testing.LabelingSimulation.Review;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * A real repository holding a {@link LabelingSimulation}: every judgement is an image entry at
 * its own dataset path (added and committed through the CLI), and the reviews and gold tests are
 * metadata records in the schemas of the design section "Annotation quality records", appended
 * with {@link MetadataLog#append} as the review and gold commands would write them.
 */
public final class SimulatedLibrary {
    private final Path library;
    private final LabelingSimulation sim;
    private final Map<Integer, String> labelBySeq;
    private final Map<Integer, String> blobBySeq;

    private SimulatedLibrary(Path library, LabelingSimulation sim, Map<Integer, String> labelBySeq,
                             Map<Integer, String> blobBySeq) {
        this.library = library;
        this.sim = sim;
        this.labelBySeq = labelBySeq;
        this.blobBySeq = blobBySeq;
    }

    public Path library() {
        return library;
    }

    public LabelingSimulation simulation() {
        return sim;
    }

    /** Returns the label record id of a judgement. */
    public String labelId(int seq) {
        return labelBySeq.get(seq);
    }

    private static SimulatedLibrary shared;

    /**
     * Returns a library of the default simulation with reviews and gold tests, built once per
     * test JVM in a temporary folder removed at exit. Tests must only read it.
     */
    public static synchronized SimulatedLibrary shared() {
        if (shared == null) {
            try {
                Path dir = java.nio.file.Files.createTempDirectory("dsv-simulated-library");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                shared = build(dir, LabelingSimulation.run(), true, true);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return shared;
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (java.io.IOException e) {
            // Best effort at exit: a leftover temporary folder does no harm.
        }
    }

    /**
     * Builds the library under {@code dir}: init (time zone Asia/Shanghai, the factory's),
     * one add and commit of every judgement on branch {@code work}, then the review decisions
     * (with a review-sample record) and the gold set and gold tests when asked for.
     */
    public static SimulatedLibrary build(Path dir, LabelingSimulation sim, boolean reviews, boolean gold) {
        Path library = dir.resolve("lib");
        check(Dsv.run(dir, "init", "lib", "--time-zone", "Asia/Shanghai"));
        check(Dsv.run(library, "switch", "-c", "work"));
        Path folder = dir.resolve("batch").resolve("sim");
        Path labels = LabelingSimulation.writeBatch(folder, sim.judgements());
        check(Dsv.run(library, "add", folder.toString(), "--labels", labels.toString(), "--source", "production"));
        check(Dsv.run(library, "commit", "-m", "simulated labels", "--committer", "sim"));

        Map<String, String[]> byPath = new HashMap<>();
        for (JsonNode image : check(Dsv.run(library, "--json", "ls")).json().path("images")) {
            byPath.put(image.path("path").asText(), new String[] {image.path("label").asText(), image.path("sha256").asText()});
        }
        Map<Integer, String> labelBySeq = new HashMap<>();
        Map<Integer, String> blobBySeq = new HashMap<>();
        for (Judgement j : sim.judgements()) {
            String[] ids = byPath.get(j.datasetPath());
            labelBySeq.put(j.seq(), ids[0]);
            blobBySeq.put(j.seq(), ids[1]);
        }
        assertEquals(sim.judgements().size(), byPath.size());
        SimulatedLibrary lib = new SimulatedLibrary(library, sim, labelBySeq, blobBySeq);
        try (Session session = Session.open(library); RepositoryLock lock = session.lock("simulation")) {
            if (reviews) {
                lib.appendReviews(session);
            }
            if (gold) {
                lib.appendGold(session);
            }
        }
        return lib;
    }

    private static CliResult check(CliResult r) {
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    private void appendReviews(Session session) {
        MetadataLog log = session.repository().metadataLog();
        ObjectId commit = session.resolve("HEAD");
        List<Object> items = new ArrayList<>();
        for (Review r : sim.reviews()) {
            Judgement j = sim.judgements().get(r.judgement());
            SortedMap<String, Object> item = CanonicalJson.newObject();
            item.put("label", labelBySeq.get(j.seq()));
            item.put("path", j.datasetPath());
            item.put("commit", commit.hex());
            item.put("day", j.labeledAt().toLocalDate().toString());
            items.add(item);
        }
        SortedMap<String, Object> sampleBody = CanonicalJson.newObject();
        sampleBody.put("rate", BigDecimal.valueOf(sim.config().reviewRate()));
        sampleBody.put("by", "day");
        sampleBody.put("seed", sim.config().seed());
        sampleBody.put("items", items);
        ObjectId sample = log.append(new MetaRecord(MetaKinds.REVIEW_SAMPLE, commit, "sim",
                sim.judgements().get(0).labeledAt(), sampleBody));
        try (ObjectStore.Inserter inserter = session.repository().store().newInserter()) {
            for (Review r : sim.reviews()) {
                Judgement j = sim.judgements().get(r.judgement());
                SortedMap<String, Object> body = CanonicalJson.newObject();
                body.put("decision", r.decision());
                body.put("sample", sample.hex());
                body.put("path", j.datasetPath());
                if (r.decision().equals("relabel")) {
                    LabelRecord relabel = new LabelRecord(ObjectId.parse(blobBySeq.get(j.seq())),
                            r.newDefects().stream().map(d -> new Defect(d, List.of())).toList(), r.verifier(),
                            r.decidedAt(), null, ObjectId.parse(labelBySeq.get(j.seq())));
                    ObjectId id = inserter.insert(ObjectType.LABEL, relabel.encode());
                    body.put("new_label", id.hex());
                }
                inserter.flush();
                log.append(new MetaRecord(MetaKinds.REVIEW_DECISION, ObjectId.parse(labelBySeq.get(j.seq())),
                        r.verifier(), r.decidedAt(), body));
            }
        }
    }

    private void appendGold(Session session) {
        MetadataLog log = session.repository().metadataLog();
        SortedMap<String, Object> setBody = CanonicalJson.newObject();
        setBody.put("experts", sim.gold().experts());
        setBody.put("kept", new ArrayList<>(sim.gold().kept().keySet()));
        setBody.put("contested", sim.gold().contested());
        OffsetDateTime start = sim.config().start().atDay(1).atStartOfDay().atOffset(LabelingSimulation.FACTORY_OFFSET);
        ObjectId set = log.append(new MetaRecord(MetaKinds.GOLD_SET, null, "exp-1", start, setBody));
        for (GoldScore s : sim.goldScores()) {
            SortedMap<String, Object> body = CanonicalJson.newObject();
            body.put("labeler", s.labeler());
            body.put("month", s.month().toString());
            body.put("gold_set", set.hex());
            body.put("answered", s.answered());
            body.put("correct", s.correct());
            BigDecimal accuracy = BigDecimal.valueOf(s.correct()).divide(BigDecimal.valueOf(s.answered()), 4,
                    RoundingMode.HALF_EVEN);
            body.put("accuracy", accuracy);
            body.put("passed", s.accuracy() >= 0.9);
            OffsetDateTime at = s.month().atEndOfMonth().atTime(18, 0).atOffset(LabelingSimulation.FACTORY_OFFSET);
            log.append(new MetaRecord(MetaKinds.GOLD_TEST, null, "exp-1", at, body));
        }
    }
}
