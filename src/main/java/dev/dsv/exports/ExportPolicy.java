package dev.dsv.exports;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.index.ImageRow;
import dev.dsv.model.CanonicalJson;
import dev.dsv.policy.GateResult;
import dev.dsv.policy.Policy;
import dev.dsv.policy.SyntheticClassCounts;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The synthetic-data rules at export: when a selection contains train-split images, the
 * synthetic-data gates run over the selected images. A gate runs when the policy of the current
 * branch or of any protected branch has it, with the strictest of their settings, so a work branch
 * cannot drop the rules by setting a laxer policy of its own.
 * A violation rejects the export before anything is written; {@code --no-policy REASON} skips the
 * rules and the reason goes into {@code dsv-export.json}.
 */
final class ExportPolicy {
    static final String RATIO = "synthetic-ratio";
    static final String TEST_IS_REAL = "test-is-real";
    static final String DIVERSITY = "generator-diversity";

    private final Session session;

    ExportPolicy(Session session) {
        this.session = session;
    }

    /** The result written to dsv-export.json: {@code status} is passed, skipped or not-applicable. */
    record Outcome(String status, String reason, String branch, String policyVersion,
                   Map<String, String> protectedVersions, List<GateResult> results) {
        Map<String, Object> toMetadata() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", status);
            if (reason != null) {
                m.put("reason", reason);
            }
            m.put("branch", branch);
            m.put("policy_version", policyVersion);
            m.put("protected_policies", protectedVersions);
            List<Map<String, Object>> gates = new ArrayList<>();
            for (GateResult r : results) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("gate", r.gate());
                g.put("passed", r.passed());
                g.put("checked", r.checked());
                g.put("offending", r.offending());
                gates.add(g);
            }
            m.put("gates", gates);
            return m;
        }
    }

    /** Applies the rules, or records the skip; throws check-failed listing each violation. */
    Outcome check(List<ImageRow> rows, String noPolicyReason) {
        String branch = session.repository().currentBranch();
        PolicyService policies = new PolicyService(session);
        Policy policy = policies.inForce(branch);
        String version = policy.version().hex();
        List<Policy> all = new ArrayList<>(List.of(policy));
        Map<String, String> protectedVersions = new LinkedHashMap<>();
        for (String p : session.repository().config().protectedBranches()) {
            Policy own = policies.inForce(p);
            all.add(own);
            protectedVersions.put(p, own.version().hex());
        }
        if (noPolicyReason != null) {
            return new Outcome("skipped", noPolicyReason, branch, version, protectedVersions, List.of());
        }
        SyntheticClassCounts counts = new SyntheticClassCounts();
        for (ImageRow row : rows) {
            List<String> types = SyntheticClassCounts.needsDefects(row.split(), row.source())
                    ? defectTypes(row.defectsJson()) : null;
            counts.add(row.path(), row.cellType(), types, row.split(), row.source(), row.generator());
        }
        if (counts.trainImages() == 0) {
            return new Outcome("not-applicable", null, branch, version, protectedVersions, List.of());
        }
        List<GateResult> results = new ArrayList<>();
        if (all.stream().anyMatch(p -> p.gates().contains(RATIO))) {
            results.add(counts.ratio(RATIO, all.stream().map(p -> p.decimal("synthetic.max_ratio"))
                    .min(java.math.BigDecimal::compareTo).orElseThrow()));
        }
        if (all.stream().anyMatch(p -> p.gates().contains(TEST_IS_REAL))) {
            results.add(counts.testIsReal(TEST_IS_REAL));
        }
        if (all.stream().anyMatch(p -> p.gates().contains(DIVERSITY))) {
            results.add(counts.diversity(DIVERSITY, all.stream().mapToLong(p -> p.integer("synthetic.min_generators"))
                    .max().orElseThrow()));
        }
        List<Problem> problems = new ArrayList<>();
        for (GateResult r : results) {
            if (!r.passed()) {
                problems.add(new Problem("export.policyGate", r.gate(), r.offending(), r.rule()));
                for (String example : r.examples()) {
                    problems.add(new Problem("export.policyItem", r.gate(), example));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new DsvException(ExitCode.CHECK_FAILED, "error.export.policyFailed", branch).withProblems(problems);
        }
        return new Outcome("passed", null, branch, version, protectedVersions, results);
    }

    private static List<String> defectTypes(String defectsJson) {
        List<String> types = new ArrayList<>();
        if (defectsJson == null || defectsJson.isEmpty()) {
            return types;
        }
        try {
            for (JsonNode d : CanonicalJson.parse(defectsJson.getBytes(StandardCharsets.UTF_8))) {
                String type = d.path("type").asText();
                if (!type.isEmpty() && !type.equals(SyntheticClassCounts.NO_DEFECT)) {
                    types.add(type);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("invalid defects JSON in the index: " + defectsJson, e);
        }
        return types;
    }
}
