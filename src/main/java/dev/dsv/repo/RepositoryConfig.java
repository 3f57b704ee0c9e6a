package dev.dsv.repo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository configuration in {@code .dsv/config.json}: vocabularies, the writer lock
 * timeout, the protected branches, the library's time zone (which decides a label's day) and the
 * user id ({@code user.id}, null when not set) that stands in for a missing labeler or verifier. The defaults cover photovoltaic EL inspection and include {@code mono}, {@code poly}
 * and {@code defective}, so a library labeled like the public ELPV data set needs no setup.
 */
public record RepositoryConfig(
        Vocabulary cellTypes,
        Vocabulary defectTypes,
        Vocabulary splits,
        Vocabulary sources,
        int lockTimeoutSeconds,
        String repositoryId,
        List<String> protectedBranches,
        ZoneId timeZone,
        String userId) {

    public static final List<String> DEFAULT_CELL_TYPES = List.of(
            "PERC", "TOPCon", "HJT", "IBC", "Al-BSF", "mono", "poly", "MBB", "shingled", "half-cut");
    public static final List<String> DEFAULT_DEFECT_TYPES = List.of(
            "defective", "microcrack", "crack", "broken-cell", "finger-interruption", "busbar-break",
            "dark-spot", "black-spot", "black-edge", "dark-area", "inactive-area", "short-circuit",
            "shunt", "soldering-defect", "scratch", "contamination", "corrosion", "pid", "gray-cell",
            "low-efficiency", "mismatch", "bubble", "hot-spot", "edge-chip", "broken-grid");
    public static final List<String> DEFAULT_SPLITS = List.of("train", "val", "test");
    public static final List<String> DEFAULT_SOURCES = List.of("production", "customer", "synthetic");
    public static final int DEFAULT_LOCK_TIMEOUT_SECONDS = 10;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Returns the defaults with a new random repository id, as {@code dsv init} writes them. */
    public static RepositoryConfig defaults() {
        return new RepositoryConfig(
                new Vocabulary("cell type", DEFAULT_CELL_TYPES),
                new Vocabulary("defect type", DEFAULT_DEFECT_TYPES),
                new Vocabulary("split", DEFAULT_SPLITS),
                new Vocabulary("source", DEFAULT_SOURCES),
                DEFAULT_LOCK_TIMEOUT_SECONDS,
                java.util.UUID.randomUUID().toString(),
                List.of("main"),
                ZoneId.systemDefault(),
                null);
    }

    /** Returns a copy counting days in another time zone. */
    public RepositoryConfig withTimeZone(ZoneId zone) {
        return new RepositoryConfig(cellTypes, defectTypes, splits, sources, lockTimeoutSeconds, repositoryId,
                protectedBranches, zone, userId);
    }

    /** Returns the JSON text written by {@code dsv init} and sent to a remote, without {@code user.id}. */
    public byte[] toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("cell_types", MAPPER.valueToTree(cellTypes.values()));
        root.set("defect_types", MAPPER.valueToTree(defectTypes.values()));
        root.set("splits", MAPPER.valueToTree(splits.values()));
        root.set("sources", MAPPER.valueToTree(sources.values()));
        root.put("lock_timeout_seconds", lockTimeoutSeconds);
        root.put("repository_id", repositoryId);
        root.set("protected_branches", MAPPER.valueToTree(protectedBranches));
        root.put("time_zone", timeZone.getId());
        // user.id names the person at this clone, so the shared form (init, push to a remote) leaves it out.
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Replaces {@code defect_types} in a configuration file atomically, keeping every other key
     * as it is (a later dsv may have added keys this one does not know). The caller holds the
     * writer lock.
     */
    public static void writeDefectTypes(Path file, List<String> defectTypes) {
        try {
            JsonNode root = MAPPER.readTree(Files.readAllBytes(file));
            if (root == null || !root.isObject()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalid", file, "not a JSON object");
            }
            ((ObjectNode) root).set("defect_types", MAPPER.valueToTree(defectTypes));
            dev.dsv.store.AtomicFiles.write(file, MAPPER.writeValueAsBytes(root));
        } catch (IOException e) {
            throw dev.dsv.store.StoreIOException.of(file, e);
        }
    }

    /** Reads the configuration; a missing key takes its default, a malformed file is named. */
    public static RepositoryConfig read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.config.invalid", file, e.getMessage());
        }
        return parse(bytes, file);
    }

    /** Parses a configuration read elsewhere (a remote's copy); {@code file} names it in messages. */
    public static RepositoryConfig parse(byte[] bytes, Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.config.invalid", file, e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalid", file, "not a JSON object");
        }
        return new RepositoryConfig(
                new Vocabulary("cell type", list(root, "cell_types", DEFAULT_CELL_TYPES, file)),
                new Vocabulary("defect type", list(root, "defect_types", DEFAULT_DEFECT_TYPES, file)),
                new Vocabulary("split", list(root, "splits", DEFAULT_SPLITS, file)),
                new Vocabulary("source", list(root, "sources", DEFAULT_SOURCES, file)),
                root.path("lock_timeout_seconds").asInt(DEFAULT_LOCK_TIMEOUT_SECONDS),
                root.hasNonNull("repository_id") ? root.get("repository_id").asText() : null,
                root.has("protected_branches") ? list(root, "protected_branches", List.of("main"), file) : List.of("main"),
                zone(root, file),
                userId(root, file));
    }

    private static String userId(JsonNode root, Path file) {
        JsonNode user = root.get("user");
        if (user == null || user.isNull()) {
            return null;
        }
        JsonNode id = user.get("id");
        if (!user.isObject() || (id != null && !id.isNull() && !id.isTextual())) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalid", file, "user.id is not a text value");
        }
        return id == null || id.isNull() || id.asText().isBlank() ? null : id.asText().strip();
    }

    /** The library's time zone decides which day a label belongs to; a file without one uses UTC. */
    private static ZoneId zone(JsonNode root, Path file) {
        JsonNode node = root.get("time_zone");
        if (node == null || node.isNull()) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(node.asText().trim());
        } catch (DateTimeException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.config.invalid", file,
                    "time_zone '" + node.asText() + "' is not a time zone id such as Asia/Shanghai or UTC");
        }
    }

    private static List<String> list(JsonNode root, String key, List<String> fallback, Path file) {
        JsonNode node = root.get(key);
        if (node == null) {
            return fallback;
        }
        if (!node.isArray()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalid", file, key + " is not a list");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode v : node) {
            String text = v.asText().trim();
            if (text.isEmpty() || text.equalsIgnoreCase("none")) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalid", file,
                        key + " contains the reserved value '" + text + "'");
            }
            values.add(text);
        }
        return values;
    }
}
