package dev.dsv.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.Times;
import dev.dsv.policy.Gates;
import dev.dsv.policy.Policy;
import dev.dsv.repo.RepositoryLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Policies per branch, kept as "policy" records in the metadata log: the latest record for a
 * branch is in force, and a branch without one has {@link Policy#DEFAULT}. The policy of a
 * protected branch changes only through a promotion, which carries the candidate branch's policy.
 */
public final class PolicyService {
    public static final String KIND = "policy";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Session session;

    public PolicyService(Session session) {
        this.session = session;
    }

    /** Throws unknown-revision for a branch that neither exists nor is protected. */
    public void requireBranch(String branch) {
        var repo = session.repository();
        if (!repo.branches().contains(branch) && !repo.config().protectedBranches().contains(branch)
                && !repo.currentBranch().equals(branch)) {
            throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.branch.notFound", branch);
        }
    }

    /**
     * Returns the policy of the library's rules that no branch may change: that of the first
     * protected branch (main), else of the current branch. Gold sets, gold tests and the people
     * rules (rotation, pauses) read it, as review sampling does.
     */
    public Policy library() {
        List<String> protectedBranches = session.repository().config().protectedBranches();
        return inForce(protectedBranches.isEmpty() ? session.repository().currentBranch() : protectedBranches.get(0));
    }

    /** Returns the policy in force on a branch. */
    public Policy inForce(String branch) {
        return own(branch).orElse(Policy.DEFAULT);
    }

    /** Returns the policy last set on a branch (by dsv policy --set or a promotion), or empty if none was. */
    public java.util.Optional<Policy> own(String branch) {
        Policy found = null;
        for (MetaQuery.Entry e : MetaQuery.ofKind(session, KIND)) {
            if (branch.equals(e.record().body().get("branch"))) {
                found = fromBody(e.record().body());
            }
        }
        return java.util.Optional.ofNullable(found);
    }

    @SuppressWarnings("unchecked")
    private static Policy fromBody(Map<String, Object> body) {
        return new Policy((List<String>) body.getOrDefault("gates", List.of()),
                (Map<String, Object>) body.getOrDefault("settings", Map.of()));
    }

    /** Sets the policy of an unprotected branch from a JSON file {"gates": [...], "settings": {...}}. */
    public Policy set(String branch, Path file) {
        requireBranch(branch);
        Policy policy = read(file);
        try (RepositoryLock lock = session.lock("policy set")) {
            if (session.repository().config().protectedBranches().contains(branch)) {
                throw new DsvException(ExitCode.PROTECTED, "error.protected.policy", branch);
            }
            record(branch, policy, null);
            return policy;
        }
    }

    /** Appends a policy record for a branch; the caller holds the writer lock. */
    void record(String branch, Policy policy, String promotion) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(policy.toCanonical());
        body.put("branch", branch);
        if (promotion != null) {
            body.put("promotion", promotion);
        }
        session.repository().metadataLog().append(new MetaRecord(KIND, null, Identity.committer(session.repository().config()), Times.now(), body));
    }

    private static Policy read(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.notFound", file);
            }
            JsonNode n = JSON.readTree(Files.readAllBytes(file));
            JsonNode list = n == null ? null : n.get("gates");
            if (list == null || !list.isArray() || list.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.invalid", file,
                        "\"gates\" must be a non-empty list of gate names");
            }
            List<String> gates = new ArrayList<>();
            for (JsonNode g : list) {
                String name = Gates.named(g.isTextual() ? g.asText() : String.valueOf(g)).name();
                if (gates.contains(name)) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.invalid", file, "gate " + name + " appears twice");
                }
                gates.add(name);
            }
            Map<String, Object> settings = new java.util.LinkedHashMap<>();
            JsonNode given = n.get("settings");
            if (given != null && !given.isObject()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.invalid", file,
                        "\"settings\" must be an object of setting names and values");
            }
            if (given != null) {
                for (var field : given.properties()) {
                    JsonNode v = field.getValue();
                    Object def = Policy.DEFAULT_SETTINGS.get(field.getKey());
                    if (def == null) {
                        throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.invalid", file, "unknown setting \""
                                + field.getKey() + "\"; known settings: " + String.join(", ", Policy.DEFAULT_SETTINGS.keySet()));
                    }
                    if (def instanceof String ? !v.isTextual() : !v.isNumber()) {
                        throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.invalid", file, "setting \""
                                + field.getKey() + "\" must be " + (def instanceof String ? "text" : "a number") + ", like " + def);
                    }
                    if (v.isNumber() && !CanonicalJson.isModestNumber(v)) {
                        throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.invalid", file, "setting \""
                                + field.getKey() + "\" has more than 100 digits, like " + def);
                    }
                    settings.put(field.getKey(), v.isNumber() ? v.decimalValue() : v.asText());
                }
            }
            try {
                return new Policy(gates, settings);
            } catch (DsvException e) {
                if (e.messageKey().equals("error.policy.outOfRange")) {
                    throw new DsvException(ExitCode.INVALID_INPUT, e, "error.policy.invalid", file, e.arguments()[0]);
                }
                throw e;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.policy.invalid", file, e.getOriginalMessage());
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.policy.invalid", file, e.getMessage());
        }
    }
}
