package dev.dsv.service;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Defect;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Region;
import dev.dsv.model.Times;
import dev.dsv.synthetic.PlausibilityProfile;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plausibility filter of {@code dsv add}: scores the synthetic images of an add against the
 * latest profile of their cell type. Failing images are discarded (not stored, not staged) unless
 * the user gives an override reason; then they are staged and an {@code override} record names
 * them. Real images are never decoded here.
 */
final class SyntheticScreen {
    private static final String SYNTHETIC = "synthetic";

    /** A synthetic image that failed the filter; {@code failures} empty means its cell type has no profile. */
    record Rejected(ImageDraft draft, List<PlausibilityProfile.Failure> failures) {
    }

    /** The drafts to go on with, the images discarded, and the failing images staged by override. */
    record Outcome(List<ImageDraft> kept, List<Rejected> discarded, List<Rejected> overridden) {
    }

    private SyntheticScreen() {
    }

    /**
     * Screens the synthetic drafts. Without an override, a cell type without profile is invalid
     * input naming {@code dsv check profile}, and nothing is staged.
     */
    static Outcome screen(Session session, Progress progress, List<ImageDraft> drafts, String overrideReason) {
        List<Integer> synthetic = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            if (SYNTHETIC.equals(drafts.get(i).source())) {
                synthetic.add(i);
            }
        }
        if (synthetic.isEmpty()) {
            return new Outcome(drafts, List.of(), List.of());
        }
        boolean override = overrideReason != null;
        List<PlausibilityService.Candidate> candidates = new ArrayList<>();
        for (int i : synthetic) {
            ImageDraft d = drafts.get(i);
            candidates.add(new PlausibilityService.Candidate(d.file().file().toString(), d.file().file(), null,
                    d.cellType(), boxes(d.defects())));
        }
        PlausibilityService service = new PlausibilityService(session, progress);
        Map<String, PlausibilityService.StoredProfile> profiles = service.latestProfiles();
        List<PlausibilityService.Scored> scored = service.score(candidates, profiles, override);

        Set<Integer> rejectedIndexes = new java.util.HashSet<>();
        List<Rejected> rejected = new ArrayList<>();
        for (int k = 0; k < synthetic.size(); k++) {
            PlausibilityService.Scored s = scored.get(k);
            if (s.profile() == null || !s.passed()) {
                rejectedIndexes.add(synthetic.get(k));
                rejected.add(new Rejected(drafts.get(synthetic.get(k)), s.failures()));
            }
        }
        if (override) {
            return new Outcome(drafts, List.of(), rejected);
        }
        List<ImageDraft> kept = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            if (!rejectedIndexes.contains(i)) {
                kept.add(drafts.get(i));
            }
        }
        return new Outcome(kept, rejected, List.of());
    }

    /** Appends the {@code override} record for images staged despite failing; subject is the stage tree. */
    static ObjectId recordOverride(Session session, ObjectId stageTree, String reason, List<Rejected> overridden,
                                   Map<String, ObjectId> blobs) {
        Map<String, Object> body = CanonicalJson.newObject();
        body.put("check", "plausibility");
        body.put("reason", reason);
        List<Object> images = new ArrayList<>();
        for (Rejected r : overridden) {
            Map<String, Object> image = CanonicalJson.newObject();
            image.put("path", r.draft().datasetPath());
            image.put("blob", blobs.get(r.draft().datasetPath()));
            image.put("cell_type", r.draft().cellType());
            if (r.failures().isEmpty()) {
                image.put("no_profile", true);
            } else {
                List<Object> failures = new ArrayList<>();
                for (PlausibilityProfile.Failure f : r.failures()) {
                    Map<String, Object> fm = CanonicalJson.newObject();
                    fm.put("measure", f.measure());
                    fm.put("value", new BigDecimal(f.value(), new java.math.MathContext(6)));
                    failures.add(fm);
                }
                image.put("failures", failures);
            }
            images.add(image);
        }
        body.put("images", images);
        return session.repository().metadataLog().append(new MetaRecord(MetaKinds.OVERRIDE, stageTree,
                Identity.committer(session.repository().config()), Times.now(), body));
    }

    private static List<double[]> boxes(List<Defect> defects) {
        List<double[]> out = new ArrayList<>();
        for (Defect d : defects) {
            for (Region r : d.regions()) {
                if (r.box() != null) {
                    out.add(new double[] {r.box().get(0).doubleValue(), r.box().get(1).doubleValue(),
                            r.box().get(2).doubleValue(), r.box().get(3).doubleValue()});
                } else {
                    double minX = Double.MAX_VALUE;
                    double minY = Double.MAX_VALUE;
                    double maxX = -Double.MAX_VALUE;
                    double maxY = -Double.MAX_VALUE;
                    for (List<BigDecimal> p : r.polygon()) {
                        minX = Math.min(minX, p.get(0).doubleValue());
                        minY = Math.min(minY, p.get(1).doubleValue());
                        maxX = Math.max(maxX, p.get(0).doubleValue());
                        maxY = Math.max(maxY, p.get(1).doubleValue());
                    }
                    out.add(new double[] {minX, minY, maxX - minX, maxY - minY});
                }
            }
        }
        return out;
    }
}
