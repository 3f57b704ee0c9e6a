package dev.dsv.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.imaging.GrayImage;
import dev.dsv.imaging.ImageDecodeException;
import dev.dsv.imaging.ImageTooLargeException;
import dev.dsv.index.ImageFilter;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.synthetic.ImageMeasures;
import dev.dsv.synthetic.PlausibilityProfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code dsv check profile} and {@code dsv check plausibility}: builds plausibility profiles from
 * the real images of a revision and scores synthetic images against them. See docs/design.md,
 * "Synthetic data and plausibility".
 */
public final class PlausibilityService {
    /** At most this many real images per cell type are measured for a profile (smallest blob ids). */
    public static final int MAX_PROFILE_IMAGES = 5000;
    private static final String SYNTHETIC = "synthetic";

    private final Session session;
    private final Progress progress;

    public PlausibilityService(Session session, Progress progress) {
        this.session = session;
        this.progress = progress;
    }

    /** A profile as recorded: the record id, the commit it was computed from, and the profile. */
    public record StoredProfile(ObjectId record, ObjectId commit, PlausibilityProfile profile) {
    }

    /** Outcome of {@code dsv check profile}: the record, profiles per cell type, and cell types skipped for too few images. */
    public record ProfileResult(ObjectId record, ObjectId commit, Map<String, PlausibilityProfile> profiles,
                                Map<String, Integer> realImages, Map<String, Integer> skipped, double seconds) {
    }

    /** One image to score: where it is read from, its cell type and its defect regions (boxes). */
    public record Candidate(String name, Path file, ObjectId blob, String cellType, List<double[]> regions) {
    }

    /** The score of one image; {@code failures} empty means plausible. */
    public record Scored(Candidate candidate, StoredProfile profile, Map<String, Double> values,
                         List<PlausibilityProfile.Failure> failures) {
        public boolean passed() {
            return failures.isEmpty();
        }
    }

    // ---- profiles ----

    /** Measures the real images of each cell type at the revision and appends a profile record. */
    public ProfileResult computeProfile(String revision) {
        try (RepositoryLock lock = session.lock("check-profile")) {
            long start = System.nanoTime();
            ObjectId commit = session.resolve(revision);
            LsService ls = new LsService(session);
            ObjectId tree = ls.treeAt(commit.hex());

            Map<String, TreeMap<String, Candidate>> sample = new TreeMap<>();
            Map<String, Integer> realImages = new TreeMap<>();
            ls.list(tree, ImageFilter.ALL, row -> {
                if (SYNTHETIC.equals(row.source())) {
                    return;
                }
                realImages.merge(row.cellType(), 1, Integer::sum);
                TreeMap<String, Candidate> kept = sample.computeIfAbsent(row.cellType(), k -> new TreeMap<>());
                if (kept.size() < MAX_PROFILE_IMAGES || row.blob().compareTo(kept.lastKey()) < 0) {
                    kept.put(row.blob(), new Candidate(row.path(), null, ObjectId.parse(row.blob()), row.cellType(),
                            regions(row.defectsJson())));
                    if (kept.size() > MAX_PROFILE_IMAGES) {
                        kept.pollLastEntry();
                    }
                }
            });

            Map<String, PlausibilityProfile> profiles = new TreeMap<>();
            Map<String, Integer> skipped = new TreeMap<>();
            int total = sample.values().stream().mapToInt(Map::size).sum();
            progress.start("profile", total);
            try {
                for (Map.Entry<String, TreeMap<String, Candidate>> e : sample.entrySet()) {
                    if (e.getValue().size() < PlausibilityProfile.MIN_IMAGES) {
                        skipped.put(e.getKey(), e.getValue().size());
                        progress.advance(e.getValue().size());
                        continue;
                    }
                    List<Measured> measured = measureAll(new ArrayList<>(e.getValue().values()));
                    SortedSet<Integer> depths = new TreeSet<>();
                    List<ImageMeasures> list = new ArrayList<>();
                    for (Measured m : measured) {
                        depths.add(m.bitDepth());
                        list.add(m.measures());
                    }
                    profiles.put(e.getKey(), PlausibilityProfile.build(e.getKey(), list, depths));
                }
            } finally {
                progress.finish();
            }
            if (profiles.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.plausibility.noRealImages", commit.abbreviate(12),
                        PlausibilityProfile.MIN_IMAGES);
            }

            Map<String, Object> body = CanonicalJson.newObject();
            Map<String, Object> cellTypes = CanonicalJson.newObject();
            profiles.forEach((type, p) -> {
                Map<String, Object> m = p.toCanonical();
                m.put("real_images", realImages.get(type));
                cellTypes.put(type, m);
            });
            body.put("cell_types", cellTypes);
            if (!skipped.isEmpty()) {
                body.put("skipped", new TreeMap<>(skipped));
            }
            body.put("working_side", ImageMeasures.WORKING_SIDE);
            body.put("histogram_bins", ImageMeasures.BINS);
            ObjectId record = session.repository().metadataLog().append(new MetaRecord(MetaKinds.PLAUSIBILITY_PROFILE,
                    commit, Identity.committer(session.repository().config()), Times.now(), body));
            return new ProfileResult(record, commit, profiles, realImages, skipped, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Returns, per cell type, the profile of the latest {@code plausibility-profile} record that has one. */
    @SuppressWarnings("unchecked")
    public Map<String, StoredProfile> latestProfiles() {
        List<MetaQuery.Entry> entries = new ArrayList<>(MetaQuery.ofKind(session, MetaKinds.PLAUSIBILITY_PROFILE));
        // Stable sort: equal times keep append order, so the later append wins.
        entries.sort((a, b) -> a.record().time().compareTo(b.record().time()));
        Map<String, StoredProfile> latest = new TreeMap<>();
        for (MetaQuery.Entry e : entries) {
            Object types = e.record().body().get("cell_types");
            if (!(types instanceof Map<?, ?> map)) {
                continue;
            }
            ((Map<String, Object>) map).forEach((type, profile) -> latest.put(type, new StoredProfile(e.id(),
                    e.record().subject(), PlausibilityProfile.fromCanonical(type, (Map<String, Object>) profile))));
        }
        return latest;
    }

    // ---- scoring ----

    /** Scores the synthetic images of a revision. */
    public List<Scored> checkRevision(String revision) {
        ObjectId commit = session.resolve(revision);
        LsService ls = new LsService(session);
        ObjectId tree = ls.treeAt(commit.hex());
        List<Candidate> candidates = new ArrayList<>();
        ls.list(tree, new ImageFilter(null, null, null, SYNTHETIC, null), row -> candidates.add(new Candidate(
                row.path(), null, ObjectId.parse(row.blob()), row.cellType(), regions(row.defectsJson()))));
        return score(candidates, latestProfiles(), false);
    }

    /**
     * Scores images against the latest profiles of their cell types. A cell type without a profile
     * is invalid input naming {@code dsv check profile}, unless {@code allowMissing}: then those
     * images get a null profile and no failures.
     */
    public List<Scored> score(List<Candidate> candidates, Map<String, StoredProfile> profiles, boolean allowMissing) {
        if (!allowMissing) {
            SortedSet<String> missing = new TreeSet<>();
            for (Candidate c : candidates) {
                if (!profiles.containsKey(c.cellType())) {
                    missing.add(c.cellType());
                }
            }
            if (!missing.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.plausibility.noProfile", String.join(", ", missing));
            }
        }
        List<Measured> measured;
        progress.start("plausibility", candidates.size());
        try {
            measured = measureAll(candidates);
        } finally {
            progress.finish();
        }
        List<Scored> out = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            StoredProfile p = profiles.get(c.cellType());
            if (p == null) {
                out.add(new Scored(c, null, Map.of(), List.of()));
                continue;
            }
            ImageMeasures m = measured.get(i).measures();
            out.add(new Scored(c, p, p.profile().values(m), p.profile().failures(m)));
        }
        return out;
    }

    private record Measured(ImageMeasures measures, int bitDepth) {
    }

    /** Decodes and measures every candidate on all cores, in input order. */
    private List<Measured> measureAll(List<Candidate> candidates) {
        Measured[] out = new Measured[candidates.size()];
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), candidates.size()));
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "dsv-measure");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < candidates.size()) {
                        Candidate c = candidates.get(i);
                        GrayImage image = decode(c);
                        out[i] = new Measured(ImageMeasures.of(image, c.regions()), image.bitDepth());
                        progress.advance(1);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DsvException(ExitCode.INTERNAL, e, "error.interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        List<Measured> list = new ArrayList<>(out.length);
        Collections.addAll(list, out);
        return list;
    }

    private GrayImage decode(Candidate c) {
        try {
            if (c.file() != null) {
                return GrayImage.read(c.file());
            }
            try (InputStream in = session.repository().store().openBlob(c.blob())) {
                return GrayImage.decode(in.readAllBytes());
            }
        } catch (ImageTooLargeException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.plausibility.tooLarge", c.name(), e.width(),
                    e.height(), e.limit());
        } catch (ImageDecodeException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.plausibility.undecodable", c.name(), e.getMessage());
        } catch (IOException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.plausibility.unreadable", c.name(), e.getMessage());
        }
    }

    /** Returns the region boxes {x, y, width, height} of a canonical defects array; polygons by bounding box. */
    public static List<double[]> regions(String defectsJson) {
        if (defectsJson == null || defectsJson.isEmpty()) {
            return List.of();
        }
        JsonNode defects;
        try {
            defects = CanonicalJson.parse(defectsJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("invalid defects JSON in the index: " + defectsJson, e);
        }
        List<double[]> out = new ArrayList<>();
        for (JsonNode defect : defects) {
            for (JsonNode region : defect.path("regions")) {
                double[] box = box(region);
                if (box != null) {
                    out.add(box);
                }
            }
        }
        return out;
    }

    private static double[] box(JsonNode region) {
        JsonNode b = region.get("box");
        if (b != null && b.size() == 4) {
            return new double[] {b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()};
        }
        JsonNode polygon = region.get("polygon");
        if (polygon == null || polygon.isEmpty()) {
            return null;
        }
        double minX = Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (JsonNode p : polygon) {
            minX = Math.min(minX, p.get(0).asDouble());
            minY = Math.min(minY, p.get(1).asDouble());
            maxX = Math.max(maxX, p.get(0).asDouble());
            maxY = Math.max(maxY, p.get(1).asDouble());
        }
        return new double[] {minX, minY, maxX - minX, maxY - minY};
    }

    /** Returns the counts of failures per measure, in measure order. */
    public static Map<String, Integer> failuresByMeasure(List<Scored> scored) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String m : PlausibilityProfile.MEASURES) {
            out.put(m, 0);
        }
        Map<String, Integer> seen = new HashMap<>();
        for (Scored s : scored) {
            s.failures().forEach(f -> seen.merge(f.measure(), 1, Integer::sum));
        }
        out.replaceAll((k, v) -> seen.getOrDefault(k, 0));
        return out;
    }
}
