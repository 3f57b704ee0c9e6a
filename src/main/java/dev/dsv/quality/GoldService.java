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
import dev.dsv.repo.MetadataLog;
import dev.dsv.repo.RepositoryConfig;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.Identity;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The gold set and the monthly labeler tests. An import reads expert votes, keeps each image on
 * which enough experts agree ({@code gold.min_experts}, {@code gold.min_agreement} of the policy
 * in force on the current branch), stores the consensus as {@code label} objects with labeler
 * {@value PeopleService#GOLD_LABELER} and records one {@code gold-set} record that pins the commit
 * the paths were resolved at. A test scores a labeler's answers against a gold set, records a
 * {@code gold-test} record, and pauses a labeler below {@code gold.pass_mark} for
 * {@code gold.pause_days} days.
 */
public final class GoldService {
    /** At most this many problems are listed, as for dsv add. */
    private static final int MAX_PROBLEMS = 50;
    private static final int SCALE = 6;

    private final Session session;

    public GoldService(Session session) {
        this.session = session;
    }

    // ---- import ----

    /** The votes of one image while an import is read. */
    private static final class Votes {
        final String path;
        final ObjectId blob;
        final String cellType;
        final Map<String, List<String>> byExpert = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        final Map<String, String> whereByExpert = new HashMap<>();

        Votes(String path, ObjectId blob, String cellType) {
            this.path = path;
            this.blob = blob;
            this.cellType = cellType;
        }
    }

    /**
     * Imports expert votes from a CSV or JSONL file, resolving image paths at {@code revision}
     * (HEAD when null). Any invalid row rejects the whole file and records nothing.
     */
    public GoldSet importFile(Path file, String revision) {
        String rev = revision == null ? "HEAD" : revision;
        try (RepositoryLock lock = session.lock("gold import")) {
            ObjectId commit = session.resolve(rev);
            ObjectId root = session.treeOf(commit);
            RepositoryConfig config = session.repository().config();
            Policy policy = policy();
            PeopleRegistry registry = PeopleRegistry.load(session);

            List<Problem> problems = new ArrayList<>();
            List<GoldInput.Row> rows = GoldInput.read(file, true, problems);
            checkExperts(rows, registry, problems);
            Map<ObjectId, Votes> images = collectVotes(rows, root, rev, config, problems);
            throwIfAny(problems, "error.gold.importRejected", file);

            long minExperts = policy.integer("gold.min_experts");
            BigDecimal minAgreement = policy.decimal("gold.min_agreement");
            OffsetDateTime now = Times.now();
            List<GoldSet.Image> kept = new ArrayList<>();
            List<GoldSet.Dropped> contested = new ArrayList<>();
            List<GoldSet.Dropped> tooFew = new ArrayList<>();
            List<Votes> ordered = new ArrayList<>(images.values());
            ordered.sort((a, b) -> CanonicalJson.CODE_POINT_ORDER.compare(a.path, b.path));
            try (ObjectStore.Inserter inserter = session.repository().store().newInserter()) {
                for (Votes v : ordered) {
                    GoldSet.Dropped dropped = new GoldSet.Dropped(v.path, v.blob, v.cellType, v.byExpert);
                    if (v.byExpert.size() < minExperts) {
                        tooFew.add(dropped);
                        continue;
                    }
                    List<String> consensus = consensus(v.byExpert, minAgreement);
                    if (consensus == null) {
                        contested.add(dropped);
                        continue;
                    }
                    long agreeing = v.byExpert.values().stream().filter(consensus::equals).count();
                    BigDecimal agreement = BigDecimal.valueOf(agreeing)
                            .divide(BigDecimal.valueOf(v.byExpert.size()), SCALE, RoundingMode.HALF_EVEN);
                    LabelRecord label = new LabelRecord(v.blob, consensus.stream().map(t -> new Defect(t, List.of())).toList(),
                            PeopleService.GOLD_LABELER, now, agreement, null);
                    ObjectId labelId = inserter.insert(ObjectType.LABEL, label.encode());
                    kept.add(new GoldSet.Image(v.path, v.blob, v.cellType, labelId, consensus,
                            List.copyOf(v.byExpert.keySet()), agreement));
                }
                if (kept.isEmpty()) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.nothingKept", file, images.size(),
                            contested.size(), tooFew.size(), minExperts, CanonicalJson.plain(minAgreement));
                }
                inserter.flush();
            }
            MetadataLog log = session.repository().metadataLog();
            long version = goldSetEntries().size() + 1L;
            GoldSet draft = new GoldSet(null, version, commit, rev, file.getFileName().toString(), now,
                    Identity.committer(session.repository().config()), minExperts, minAgreement, kept, contested, tooFew);
            MetaRecord record = new MetaRecord(MetaKinds.GOLD_SET, null, draft.author(), now, draft.toBody());
            ObjectId id = log.append(record);
            return GoldSet.fromRecord(id, log.read(id));
        }
    }

    /** Adds a problem for each expert who is not registered or lacks the expert role (first row only). */
    private static void checkExperts(List<GoldInput.Row> rows, PeopleRegistry registry, List<Problem> problems) {
        Set<String> seen = new LinkedHashSet<>();
        for (GoldInput.Row row : rows) {
            if (!seen.add(row.expert())) {
                continue;
            }
            var person = registry.find(row.expert());
            if (person.isEmpty()) {
                problems.add(new Problem("error.gold.unknownExpert", row.where(), row.expert()));
            } else if (!person.get().hasRole(Role.EXPERT)) {
                problems.add(new Problem("error.gold.notExpert", row.where(), row.expert(),
                        String.join(",", person.get().roleNames())));
            }
        }
    }

    private Map<ObjectId, Votes> collectVotes(List<GoldInput.Row> rows, ObjectId root, String rev,
                                              RepositoryConfig config, List<Problem> problems) {
        Map<String, Located> byBlob = locateBlobs(rows, root);
        Map<ObjectId, Votes> images = new LinkedHashMap<>();
        for (GoldInput.Row row : rows) {
            Located at = locate(row, root, rev, byBlob, problems);
            List<String> types = defectTypes(row, config, problems);
            if (at == null || types == null) {
                continue;
            }
            Votes v = images.computeIfAbsent(at.entry().blob(), b -> new Votes(at.path(), b, at.entry().cellType()));
            String earlier = v.whereByExpert.putIfAbsent(row.expert(), row.where());
            if (earlier != null) {
                problems.add(new Problem("error.gold.duplicateVote", row.where(), row.expert(), v.path, earlier));
                continue;
            }
            v.byExpert.put(row.expert(), types);
        }
        return images;
    }

    /**
     * Returns the defect set that at least {@code minAgreement} of the experts chose, or null when
     * no set reaches it or two sets tie for the most votes.
     */
    static List<String> consensus(Map<String, List<String>> votes, BigDecimal minAgreement) {
        Map<List<String>, Integer> counts = new HashMap<>();
        votes.values().forEach(v -> counts.merge(v, 1, Integer::sum));
        List<String> best = null;
        int bestCount = 0;
        boolean tie = false;
        for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
                tie = false;
            } else if (e.getValue() == bestCount) {
                tie = true;
            }
        }
        BigDecimal needed = minAgreement.multiply(BigDecimal.valueOf(votes.size()));
        if (tie || BigDecimal.valueOf(bestCount).compareTo(needed) < 0) {
            return null;
        }
        return best;
    }

    // ---- image references shared by import and test ----

    /** The dataset path and image entry that an image reference resolves to at the revision. */
    private record Located(String path, ImageEntry entry) {
    }

    /** Finds, in one walk of the tree, the first path of each blob that rows name by sha256. */
    private Map<String, Located> locateBlobs(List<GoldInput.Row> rows, ObjectId root) {
        Set<String> wanted = new java.util.HashSet<>();
        for (GoldInput.Row row : rows) {
            if (row.path() == null && ObjectId.isValidHex(row.blob().toLowerCase(Locale.ROOT))) {
                wanted.add(row.blob().toLowerCase(Locale.ROOT));
            }
        }
        Map<String, Located> found = new HashMap<>();
        if (!wanted.isEmpty()) {
            session.trees().walk(root, (path, e) -> {
                if (wanted.contains(e.blob().hex())) {
                    found.putIfAbsent(e.blob().hex(), new Located(path, e));
                }
            });
        }
        return found;
    }

    private Located locate(GoldInput.Row row, ObjectId root, String rev, Map<String, Located> byBlob,
                           List<Problem> problems) {
        if (row.path() != null) {
            String path;
            try {
                path = DatasetPath.normalize(row.path());
            } catch (DsvException e) {
                problems.add(new Problem("error.labels.invalidPath", row.where(), row.path(), e.arguments()[1]));
                return null;
            }
            ImageEntry entry = session.trees().lookup(root, path);
            if (entry == null) {
                problems.add(new Problem("error.gold.unknownPath", row.where(), path, rev));
                return null;
            }
            if (row.blob() != null && !entry.blob().hex().equalsIgnoreCase(row.blob())) {
                problems.add(new Problem("error.gold.blobMismatch", row.where(), path, row.blob(), entry.blob().hex()));
                return null;
            }
            return new Located(path, entry);
        }
        String hex = row.blob().toLowerCase(Locale.ROOT);
        if (!ObjectId.isValidHex(hex)) {
            problems.add(new Problem("error.gold.badBlob", row.where(), row.blob()));
            return null;
        }
        Located at = byBlob.get(hex);
        if (at == null) {
            problems.add(new Problem("error.gold.unknownBlob", row.where(), hex, rev));
        }
        return at;
    }

    /** Returns the defect types in their configured spelling, or null after adding a problem. */
    private static List<String> defectTypes(GoldInput.Row row, RepositoryConfig config, List<Problem> problems) {
        List<String> out = new ArrayList<>();
        for (String t : row.defects()) {
            String known = config.defectTypes().lookup(t);
            if (known == null) {
                problems.add(new Problem("error.vocabulary.unknown", row.where(), config.defectTypes().kind(), t,
                        String.join(", ", config.defectTypes().values())));
                return null;
            }
            if (!out.contains(known)) {
                out.add(known);
            }
        }
        out.sort(CanonicalJson.CODE_POINT_ORDER);
        return List.copyOf(out);
    }

    // ---- reading gold sets ----

    private List<Map.Entry<ObjectId, MetaRecord>> goldSetEntries() {
        return entries(MetaKinds.GOLD_SET);
    }

    private List<Map.Entry<ObjectId, MetaRecord>> entries(String kind) {
        MetadataLog log = session.repository().metadataLog();
        List<Map.Entry<ObjectId, MetaRecord>> out = new ArrayList<>();
        for (ObjectId id : log.ids()) {
            MetaRecord r = log.read(id);
            if (kind.equals(r.kind())) {
                out.add(Map.entry(id, r));
            }
        }
        return out;
    }

    /** Returns every gold set version, oldest first. */
    public List<GoldSet> list() {
        List<GoldSet> out = new ArrayList<>();
        for (Map.Entry<ObjectId, MetaRecord> e : goldSetEntries()) {
            out.add(GoldSet.fromRecord(e.getKey(), e.getValue()));
        }
        out.sort((a, b) -> Long.compare(a.version(), b.version()));
        return out;
    }

    /**
     * Returns the gold set named by a record id (or a prefix of at least 4 hex digits) or by its
     * version number; the latest version when {@code reference} is null.
     */
    public GoldSet find(String reference) {
        List<GoldSet> all = list();
        if (all.isEmpty()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.noGoldSet");
        }
        if (reference == null) {
            return all.get(all.size() - 1);
        }
        String ref = reference.strip().toLowerCase(Locale.ROOT);
        String version = ref.startsWith("v") ? ref.substring(1) : ref;
        List<GoldSet> matches = new ArrayList<>();
        for (GoldSet g : all) {
            if (version.matches("\\d{1,9}") && Long.parseLong(version) == g.version()) {
                return g;
            }
            if (ref.length() >= 4 && g.id().hex().startsWith(ref)) {
                matches.add(g);
            }
        }
        if (matches.size() != 1) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.unknownSet", reference);
        }
        return matches.get(0);
    }

    // ---- tests ----

    /**
     * Scores a labeler's answers against a gold set (the latest when {@code goldSetReference} is
     * null) for a month (the current month in the library time zone when null), records the
     * result, and pauses the labeler when the accuracy is below the pass mark. An answer for an
     * image that is not in the gold set rejects the whole file.
     */
    public GoldTestResult test(String labeler, Path answers, YearMonth month, String goldSetReference) {
        try (RepositoryLock lock = session.lock("gold test")) {
            PeopleRegistry registry = PeopleRegistry.load(session);
            YearMonth currentMonth = YearMonth.from(registry.dayOf(Times.now()));
            if (month != null && month.isAfter(currentMonth)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.futureMonth", month, currentMonth);
            }
            Person person = registry.require(labeler);
            if (!person.hasRole(Role.LABELER)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.notLabeler", labeler,
                        String.join(",", person.roleNames()));
            }
            GoldSet gold = find(goldSetReference);
            RepositoryConfig config = session.repository().config();
            List<Problem> problems = new ArrayList<>();
            List<GoldInput.Row> rows = GoldInput.read(answers, false, problems);
            Map<ObjectId, List<String>> answered = matchAnswers(rows, gold, config, problems);
            throwIfAny(problems, "error.gold.answersRejected", answers);

            Policy policy = policy();
            YearMonth testMonth = month != null ? month : currentMonth;
            GoldTestResult scored = score(labeler, testMonth.toString(), gold, answered, policy.decimal("gold.pass_mark"));

            LocalDate pausedUntil = null;
            if (!scored.passed() && policy.integer("gold.pause_days") > 0) {
                LocalDate until = registry.dayOf(Times.now()).plusDays(policy.integer("gold.pause_days"));
                var current = registry.pauseAt(labeler, Times.now());
                if (current.isPresent() && current.get().pausedUntil().isAfter(until)) {
                    until = current.get().pausedUntil();
                }
                String reason = "gold test " + testMonth + ": accuracy " + CanonicalJson.plain(scored.accuracy())
                        + " below the pass mark " + CanonicalJson.plain(scored.passMark()) + " (gold set v" + gold.version() + ")";
                new PeopleService(session).recordPause(registry, labeler, until, reason);
                pausedUntil = until;
            }
            GoldTestResult result = new GoldTestResult(null, scored.labeler(), scored.month(), scored.goldSet(),
                    scored.goldVersion(), scored.answered(), scored.correct(), scored.accuracy(), scored.unanswered(),
                    scored.passMark(), scored.passed(), scored.byClass(), scored.confusion(), pausedUntil, Times.now(),
                    Identity.committer(session.repository().config()));
            MetaRecord record = new MetaRecord(MetaKinds.GOLD_TEST, null, result.author(), result.time(), result.toBody());
            MetadataLog log = session.repository().metadataLog();
            ObjectId id = log.append(record);
            return GoldTestResult.fromRecord(id, log.read(id));
        }
    }

    /** Maps each answer to a gold image by path or blob; adds problems for the rest. */
    private static Map<ObjectId, List<String>> matchAnswers(List<GoldInput.Row> rows, GoldSet gold, RepositoryConfig config,
                                                            List<Problem> problems) {
        Map<String, GoldSet.Image> byPath = new HashMap<>();
        Map<String, GoldSet.Image> byBlob = new HashMap<>();
        for (GoldSet.Image i : gold.kept()) {
            byPath.put(i.path(), i);
            byBlob.putIfAbsent(i.blob().hex(), i);
        }
        Map<ObjectId, List<String>> answered = new LinkedHashMap<>();
        Map<ObjectId, String> firstRow = new HashMap<>();
        for (GoldInput.Row row : rows) {
            GoldSet.Image image;
            String reference;
            if (row.path() != null) {
                reference = row.path();
                String path;
                try {
                    path = DatasetPath.normalize(row.path());
                } catch (DsvException e) {
                    problems.add(new Problem("error.labels.invalidPath", row.where(), row.path(), e.arguments()[1]));
                    continue;
                }
                image = byPath.get(path);
            } else {
                reference = row.blob();
                image = byBlob.get(row.blob().toLowerCase(Locale.ROOT));
            }
            if (image == null) {
                problems.add(new Problem("error.gold.notInSet", row.where(), reference, gold.version()));
                continue;
            }
            List<String> types = defectTypes(row, config, problems);
            if (types == null) {
                continue;
            }
            String earlier = firstRow.putIfAbsent(image.blob(), row.where());
            if (earlier != null) {
                problems.add(new Problem("error.gold.duplicateAnswer", row.where(), image.path(), earlier));
                continue;
            }
            answered.put(image.blob(), types);
        }
        return answered;
    }

    /** Computes the figures of a test; the result has no id, pause, time or author yet. */
    static GoldTestResult score(String labeler, String month, GoldSet gold, Map<ObjectId, List<String>> answers,
                                BigDecimal passMark) {
        Map<String, long[]> perClass = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        Map<String, Map<String, Long>> confusion = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        long answered = 0;
        long correct = 0;
        for (GoldSet.Image image : gold.kept()) {
            List<String> answer = answers.get(image.blob());
            if (answer == null) {
                continue;
            }
            String goldClass = GoldSet.className(image.defects());
            String answerClass = GoldSet.className(answer);
            boolean right = goldClass.equals(answerClass);
            answered++;
            correct += right ? 1 : 0;
            long[] figures = perClass.computeIfAbsent(image.cellType() + "\u0000" + goldClass, k -> new long[2]);
            figures[0]++;
            figures[1] += right ? 1 : 0;
            confusion.computeIfAbsent(goldClass, k -> new TreeMap<>(CanonicalJson.CODE_POINT_ORDER))
                    .merge(answerClass, 1L, Long::sum);
        }
        List<GoldTestResult.ClassFigures> byClass = new ArrayList<>();
        perClass.forEach((key, f) -> {
            String[] parts = key.split("\u0000", 2);
            byClass.add(new GoldTestResult.ClassFigures(parts[0], parts[1], f[0], f[1], ratio(f[1], f[0])));
        });
        boolean passed = BigDecimal.valueOf(correct).compareTo(passMark.multiply(BigDecimal.valueOf(answered))) >= 0;
        return new GoldTestResult(null, labeler, month, gold.id(), gold.version(), answered, correct,
                ratio(correct, answered), gold.kept().size() - answered, passMark, passed, byClass, confusion, null, null, null);
    }

    private static BigDecimal ratio(long part, long whole) {
        return whole == 0 ? BigDecimal.ZERO.setScale(SCALE)
                : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), SCALE, RoundingMode.HALF_EVEN);
    }

    /** Returns the recorded tests, of one labeler or of all when {@code labeler} is null, by month then time. */
    public List<GoldTestResult> tests(String labeler) {
        List<GoldTestResult> out = new ArrayList<>();
        for (Map.Entry<ObjectId, MetaRecord> e : entries(MetaKinds.GOLD_TEST)) {
            GoldTestResult t = GoldTestResult.fromRecord(e.getKey(), e.getValue());
            if (labeler == null || labeler.equals(t.labeler())) {
                out.add(t);
            }
        }
        out.sort((a, b) -> {
            int byMonth = a.month().compareTo(b.month());
            return byMonth != 0 ? byMonth : a.time().toInstant().compareTo(b.time().toInstant());
        });
        return out;
    }

    /** Gold rules are library-wide: they come from main's policy, never from a work branch's. */
    private Policy policy() {
        return new PolicyService(session).library();
    }

    private static void throwIfAny(List<Problem> problems, String key, Path file) {
        if (!problems.isEmpty()) {
            List<Problem> shown = problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems;
            throw new DsvException(ExitCode.INVALID_INPUT, key, file, problems.size()).withProblems(shown);
        }
    }
}
