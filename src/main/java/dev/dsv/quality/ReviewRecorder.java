package dev.dsv.quality;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.policy.Policy;
import dev.dsv.trust.RecordSignatures;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.AddService;
import dev.dsv.service.CommitService;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code dsv review record}: checks a verifier and every decision row, then writes one
 * {@code review-decision} record per row. Relabels become new label records by the verifier in one
 * commit on the current branch. Any problem leaves the repository as it was.
 */
public final class ReviewRecorder {
    public static final String PASS = "pass";
    public static final String REJECT = "reject";
    public static final String RELABEL = "relabel";

    /** The counts of recorded decisions per kind, and the relabel commit or null. */
    public record Result(String verifier, int passed, int rejected, int relabeled, int skipped,
                         ObjectId relabelCommit, String branch) {
    }

    /** A checked decision, ready to write. */
    private record Planned(DecisionFile.Row row, ReviewLog.Item item, ReviewLog.Sample sample, String decision,
                           List<String> defects) {
    }

    private final Session session;

    public ReviewRecorder(Session session) {
        this.session = session;
    }

    /** Records the decisions of a file. */
    public Result recordFile(java.nio.file.Path file, String verifier) {
        List<Problem> problems = new ArrayList<>();
        List<DecisionFile.Row> rows = DecisionFile.read(file, problems);
        return record(rows, verifier, problems);
    }

    /** Records one decision given on the command line; {@code where} names the options for messages. */
    public Result recordOne(String label, String path, String decision, List<String> defects, String note,
                            String verifier) {
        DecisionFile.Row row = new DecisionFile.Row("--label/--path", label, path, decision, defects, note);
        return record(List.of(row), verifier, new ArrayList<>());
    }

    private Result record(List<DecisionFile.Row> rows, String verifier, List<Problem> problems) {
        if (verifier == null || verifier.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.verify.verifier");
        }
        String verifierId = verifier.strip();
        try (RepositoryLock lock = session.lock("review record")) {
            Repository repo = session.repository();
            String branch = repo.currentBranch();
            Policy policy = new PolicyService(session).inForce(ReviewSampler.reviewBranch(session, null));
            OffsetDateTime now = Times.now();
            checkVerifier(verifierId, now, policy);

            ReviewLog log = ReviewLog.read(session);
            ObjectId head = repo.headCommit();
            ObjectId headTree = session.treeOf(head);
            List<Planned> planned = new ArrayList<>();
            Map<ObjectId, String> firstRow = new HashMap<>();
            int skipped = 0;
            for (DecisionFile.Row row : rows) {
                if (row.decision() == null) {
                    skipped++;
                    continue;
                }
                Planned p = check(row, verifierId, log, headTree, problems);
                if (p == null) {
                    continue;
                }
                String earlier = firstRow.putIfAbsent(p.item().label(), row.where());
                if (earlier != null) {
                    problems.add(new Problem("error.review.duplicate", row.where(), p.item().label().hex(), earlier));
                    continue;
                }
                planned.add(p);
            }
            boolean anyRelabel = planned.stream().anyMatch(p -> p.decision().equals(RELABEL));
            if (anyRelabel && problems.isEmpty()) {
                checkRelabelTarget(repo, branch, head, headTree);
            }
            if (!problems.isEmpty()) {
                List<Problem> shown = problems.size() > AddService.MAX_PROBLEMS
                        ? problems.subList(0, AddService.MAX_PROBLEMS) : problems;
                throw new DsvException(ExitCode.INVALID_INPUT, "error.review.rejected", problems.size())
                        .withProblems(shown);
            }
            if (planned.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.review.noDecisions", rows.size());
            }
            return write(planned, verifierId, branch, head, headTree, now, skipped, policy);
        }
    }

    private void checkVerifier(String verifierId, OffsetDateTime now, Policy policy) {
        PeopleRegistry people = PeopleRegistry.load(session);
        Person person = people.require(verifierId);
        if (!person.hasRole(Role.VERIFIER)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.people.notVerifier", verifierId,
                    String.join(",", person.roles().stream().map(Role::jsonName).sorted().toList()));
        }
        VerifierStanding standing = people.verifierStanding(verifierId, now, policy);
        if (!standing.mayReview()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.review.verifierStanding", verifierId,
                    standing.state().jsonName(), standing.rule());
        }
    }

    /** Checks one row; returns null after adding a problem. */
    private Planned check(DecisionFile.Row row, String verifierId, ReviewLog log, ObjectId headTree,
                          List<Problem> problems) {
        String decision = row.decision().toLowerCase(Locale.ROOT);
        if (!decision.equals(PASS) && !decision.equals(REJECT) && !decision.equals(RELABEL)) {
            problems.add(new Problem("error.review.badDecision", row.where(), row.decision()));
            return null;
        }
        List<String> defects = null;
        if (decision.equals(RELABEL)) {
            defects = relabelDefects(row, problems);
            if (defects == null) {
                return null;
            }
        } else if (row.defects() != null && !row.defects().isEmpty()) {
            problems.add(new Problem("error.review.defectsWithoutRelabel", row.where(), decision));
            return null;
        }

        ObjectId label = resolveLabel(row, headTree, problems);
        if (label == null) {
            return null;
        }
        ReviewLog.Item item = log.item(label);
        if (item == null) {
            problems.add(new Problem("error.review.notSampled", row.where(), label.hex()));
            return null;
        }
        // Four-eyes rule: a verifier never judges a label record they made themselves.
        String labeler = session.readLabel(label).labeler();
        if (CanonicalJson.nfc(verifierId).equals(labeler)) {
            problems.add(new Problem("error.review.ownLabel", row.where(), label.hex(), item.path(), verifierId));
            return null;
        }
        ReviewLog.Decision earlier = log.decision(label);
        if (earlier != null && earlier.decision().equals(RELABEL)) {
            problems.add(new Problem("error.review.alreadyRelabeled", row.where(), label.hex(),
                    earlier.relabelCommit() == null ? "?" : earlier.relabelCommit().abbreviate(12)));
            return null;
        }
        if (decision.equals(RELABEL)) {
            ImageEntry entry = session.trees().lookup(headTree, item.path());
            if (entry == null || !entry.label().equals(label)) {
                problems.add(new Problem("error.review.notInForce", row.where(), label.hex(), item.path()));
                return null;
            }
        }
        return new Planned(row, item, log.sampleOf(label), decision, defects);
    }

    /** Returns the configured spelling of a relabel's defect types (empty for none), or null after a problem. */
    private List<String> relabelDefects(DecisionFile.Row row, List<Problem> problems) {
        if (row.defects() == null || row.defects().isEmpty()) {
            problems.add(new Problem("error.review.relabelNoDefects", row.where()));
            return null;
        }
        List<String> defects = new ArrayList<>();
        if (row.defects().size() == 1 && row.defects().get(0).equalsIgnoreCase(Defect.NONE)) {
            return defects;
        }
        var vocabulary = session.repository().config().defectTypes();
        for (String d : row.defects()) {
            String known = vocabulary.lookup(d);
            if (known == null) {
                problems.add(new Problem("error.review.unknownDefect", row.where(), d,
                        String.join(", ", vocabulary.values())));
                return null;
            }
            defects.add(known);
        }
        return defects;
    }

    /** Returns the label record a row names by id or by path on the current branch, or null after a problem. */
    private ObjectId resolveLabel(DecisionFile.Row row, ObjectId headTree, List<Problem> problems) {
        if (row.label() != null) {
            if (!ObjectId.isValidHex(row.label().toLowerCase(Locale.ROOT))) {
                problems.add(new Problem("error.review.badLabelId", row.where(), row.label()));
                return null;
            }
            return ObjectId.parse(row.label().toLowerCase(Locale.ROOT));
        }
        if (row.path() != null) {
            String path;
            try {
                path = DatasetPath.normalize(row.path());
            } catch (DsvException e) {
                problems.add(new Problem("error.path.invalid", row.path(), e.arguments()[1]));
                return null;
            }
            ImageEntry entry = session.trees().lookup(headTree, path);
            if (entry == null) {
                problems.add(new Problem("error.review.pathNotAtHead", row.where(), path));
                return null;
            }
            return entry.label();
        }
        problems.add(new Problem("error.review.noLabel", row.where()));
        return null;
    }

    private void checkRelabelTarget(Repository repo, String branch, ObjectId head, ObjectId headTree) {
        if (repo.config().protectedBranches().contains(branch)) {
            throw new DsvException(ExitCode.PROTECTED, "error.review.relabelProtected", branch);
        }
        if (head == null || !session.stage().tree().equals(headTree)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.review.relabelStaged", branch);
        }
    }

    private Result write(List<Planned> planned, String verifier, String branch, ObjectId head, ObjectId headTree,
                         OffsetDateTime now, int skipped, Policy policy) {
        Repository repo = session.repository();
        Map<ObjectId, ObjectId> newLabels = new HashMap<>();
        ObjectId relabelCommit = null;
        Map<String, ImageEntry> changes = new TreeMap<>();
        try (ObjectStore.Inserter inserter = repo.store().newInserter()) {
            for (Planned p : planned) {
                if (!p.decision().equals(RELABEL)) {
                    continue;
                }
                ImageEntry entry = session.trees().lookup(headTree, p.item().path());
                List<Defect> defects = p.defects().stream().map(d -> new Defect(d, List.of())).toList();
                LabelRecord next = new LabelRecord(entry.blob(), defects, verifier, now, null, p.item().label());
                ObjectId id = inserter.insert(ObjectType.LABEL, next.encode());
                newLabels.put(p.item().label(), id);
                changes.put(p.item().path(), entry.withLabel(id));
            }
            if (!changes.isEmpty()) {
                ObjectId tree = session.trees().apply(headTree, changes, inserter);
                inserter.flush();
                String message = "Review relabels by " + verifier + ": " + changes.size()
                        + (changes.size() == 1 ? " image" : " images");
                relabelCommit = new CommitService(session).writeDetached(head, tree, List.of(head), message, verifier,
                        now);
            } else {
                inserter.flush();
            }
        }
        int passed = 0;
        int rejected = 0;
        int relabeled = 0;
        // Decisions are written before the branch moves, as promotions are: a killed run leaves at
        // most decisions naming a relabel commit that no branch contains yet. All are signed and
        // checked before the first is written.
        RecordSignatures signatures = new RecordSignatures(session);
        String policyBranch = ReviewSampler.reviewBranch(session, null);
        List<MetaRecord> records = new ArrayList<>();
        for (Planned p : planned) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("decision", p.decision());
            body.put("sample", p.sample().id().hex());
            body.put("path", p.item().path());
            body.put("note", p.row().note());
            switch (p.decision()) {
                case PASS -> passed++;
                case REJECT -> rejected++;
                default -> {
                    relabeled++;
                    body.put("new_label", newLabels.get(p.item().label()).hex());
                    body.put("relabel_commit", relabelCommit.hex());
                }
            }
            MetaRecord record = signatures.signIfConfigured(
                    new MetaRecord(MetaKinds.REVIEW_DECISION, p.item().label(), verifier, now, body));
            signatures.requireIfPolicy(policy, record, policyBranch);
            records.add(record);
        }
        records.forEach(repo.metadataLog()::append);
        if (relabelCommit != null) {
            repo.updateBranch(branch, head, relabelCommit);
            session.indexHistory(relabelCommit);
            repo.clearStage();
        }
        return new Result(verifier, passed, rejected, relabeled, skipped, relabelCommit, branch);
    }
}
