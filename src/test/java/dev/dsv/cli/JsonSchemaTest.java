package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Validates the {@code --json} output of real commands on a real repository against the JSON
 * Schemas in docs/json/, and checks that every command has a schema.
 */
class JsonSchemaTest {
    private static final Path SCHEMAS = Path.of("docs", "json").toAbsolutePath();

    /**
     * Commands whose {@code --json} output has no schema yet. A command leaves this list when its
     * schema file is added; the coverage test fails for a command that is in neither place.
     */
    private static final Set<String> NOT_YET = Set.of();

    /** Commands that print no JSON document of their own. */
    private static final Set<String> WITHOUT_JSON = Set.of(
            "help"); // picocli's help prints usage text, with or without --json

    /**
     * Serves the schema files by their file: IRIs, so "$ref": "common.schema.json#/..." resolves beside
     * the referring file. The validator's own meta-schemas come from its jar, and nothing is fetched.
     */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)).schemas(JsonSchemaTest::readSchema));

    private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

    /** Rejects anything after the first document, so a second document or stray text on stdout fails. */
    private static final ObjectMapper SINGLE_DOCUMENT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    Path tmp;

    /** The schema name of each command whose output this test validated. */
    private final Set<String> validated = new TreeSet<>();

    /** Returns the leaf commands of the dsv command tree as schema names: "label import" becomes "label-import". */
    static Set<String> commandNames() {
        Set<String> names = new TreeSet<>();
        collectLeaves(Subcommands.full(), names);
        return names;
    }

    private static void collectLeaves(CommandLine command, Set<String> names) {
        if (command.getSubcommands().isEmpty()) {
            String qualified = command.getCommandSpec().qualifiedName(" ");
            names.add(qualified.substring(qualified.indexOf(' ') + 1).replace(' ', '-'));
            return;
        }
        for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) {
            collectLeaves(sub, names);
        }
    }

    static Set<String> schemaNames() throws IOException {
        try (Stream<Path> files = Files.list(SCHEMAS)) {
            Set<String> names = new TreeSet<>();
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".schema.json"))
                    .forEach(n -> names.add(n.substring(0, n.length() - ".schema.json".length())));
            return names;
        }
    }

    private static String readSchema(String iri) {
        if (!iri.startsWith("file:")) {
            return null;
        }
        Path file = Path.of(URI.create(iri));
        if (!file.startsWith(SCHEMAS) || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema schema(String name) {
        Path file = SCHEMAS.resolve(name + ".schema.json");
        assertTrue(Files.isRegularFile(file), "no schema file " + file);
        return REGISTRY.getSchema(SchemaLocation.of(file.toUri().toString()));
    }

    /** Returns the validation errors of one document against the schema of {@code name}, empty when it is valid. */
    private static List<String> problems(String name, JsonNode document) {
        List<String> messages = new ArrayList<>();
        // Draft 2020-12 treats "format" as an annotation; asserting it checks timestamps and dates too.
        ExecutionConfig formats = ExecutionConfig.builder().formatAssertionsEnabled(true).build();
        for (Error e : schema(name).validate(document, context -> context.setExecutionConfig(formats))) {
            messages.add(e.toString());
        }
        return messages;
    }

    private void assertValid(String name, JsonNode document) {
        List<String> problems = problems(name, document);
        assertTrue(problems.isEmpty(), name + ": output does not match docs/json/" + name + ".schema.json:\n  "
                + String.join("\n  ", problems) + "\n" + document.toPrettyString());
        validated.add(name);
    }

    /** Runs {@code dsv --json ARGS} in {@code dir}, expects exit 0, validates stdout against the schema of {@code name}. */
    private JsonNode json(Path dir, String name, String... args) {
        return json(dir, 0, name, args);
    }

    /** Runs {@code dsv --json ARGS} in {@code dir}, expects {@code exitCode}, validates stdout against the schema of {@code name}. */
    private JsonNode json(Path dir, int exitCode, String name, String... args) {
        JsonNode document = run(dir, exitCode, args);
        assertValid(name, document);
        return document;
    }

    /** Runs {@code dsv --json ARGS}, expects the exit code and validates stdout as an error document. */
    private JsonNode error(Path dir, int exitCode, String... args) {
        JsonNode document = run(dir, exitCode, args);
        assertValid("error", document);
        return document;
    }

    /** Runs {@code dsv --json ARGS} and parses stdout, which must be exactly one JSON document. */
    private static JsonNode run(Path dir, int exitCode, String... args) {
        List<String> all = new ArrayList<>();
        all.add("--json");
        all.addAll(List.of(args));
        CliResult r = Dsv.run(dir, all.toArray(String[]::new));
        assertEquals(exitCode, r.exitCode(), String.join(" ", args) + "\n" + r);
        try {
            return SINGLE_DOCUMENT.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("stdout of " + String.join(" ", args) + " is not one JSON document\n" + r, e);
        }
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        return file;
    }

    @Test
    void everyCommandHasSchemaOrIsListed() throws IOException {
        Set<String> commands = commandNames();
        Set<String> schemas = schemaNames();
        for (String command : commands) {
            if (WITHOUT_JSON.contains(command)) {
                continue;
            }
            assertTrue(schemas.contains(command) || NOT_YET.contains(command),
                    "dsv " + command.replace('-', ' ') + " has no schema: add docs/json/" + command + ".schema.json");
            assertFalse(schemas.contains(command) && NOT_YET.contains(command),
                    command + " has a schema now: remove it from NOT_YET");
        }
        for (String schema : schemas) {
            assertTrue(commands.contains(schema) || schema.equals("error") || schema.equals("common"),
                    "docs/json/" + schema + ".schema.json names no command");
        }
    }

    @Test
    void schemaFilesMatchMetaSchema() throws IOException {
        Schema meta = REGISTRY.getSchema(SchemaLocation.of(META_SCHEMA));
        for (String name : schemaNames()) {
            JsonNode schema = SINGLE_DOCUMENT.readTree(SCHEMAS.resolve(name + ".schema.json").toFile());
            assertEquals(META_SCHEMA, schema.path("$schema").asText(), name);
            List<Error> errors = meta.validate(schema);
            assertTrue(errors.isEmpty(), name + ".schema.json is not a valid draft 2020-12 schema: " + errors);
        }
    }

    @Test
    void realOutputsMatchSchemas() throws IOException {
        Path lib = tmp.resolve("lib");
        json(tmp, "init", "init", "lib", "--time-zone", "UTC");
        json(lib, "switch", "switch", "-c", "work");

        json(lib, "people-add", "people", "add", "lab-01", "--role", "labeler", "--name", "Li Wei");
        json(lib, "people-add", "people", "add", "lab-02", "--role", "labeler");
        json(lib, "people-add", "people", "add", "ver-01", "--role", "verifier");
        for (String expert : List.of("exp-1", "exp-2", "exp-3", "exp-4", "exp-5")) {
            json(lib, "people-add", "people", "add", expert, "--role", "expert");
        }
        json(lib, "people-set", "people", "set", "lab-02", "--role", "labeler,verifier");
        json(lib, "people-pause", "people", "pause", "lab-02", "--until", "2099-01-01", "--reason", "retraining");
        json(lib, "people-resume", "people", "resume", "lab-02");
        json(lib, "people-rotate", "people", "rotate", "ver-01");
        json(lib, "people-list", "people", "list");
        json(lib, "people-show", "people", "show", "lab-01");

        Path guide = write(tmp.resolve("guide.md"), "# Labeling guide\n\nMark every crack.\n");
        json(lib, "guideline-add", "guideline", "add", guide.toString(), "--version", "v1", "--title", "First");
        json(lib, "guideline-list", "guideline", "list");
        json(lib, "guideline-show", "guideline", "show", "v1", "--out", tmp.resolve("guide-copy.md").toString());

        json(lib, "add", "add", Images.SAMPLE.resolve("images").toString(), "--prefix", "batch",
                "--labels", Images.SAMPLE.resolve("labels.csv").toString(), "--source", "production",
                "--labeler", "lab-01", "--labeled-at", "2026-03-07T08:00:00Z", "--guideline", "v1");
        json(lib, "status", "status");
        JsonNode first = json(lib, "commit", "commit", "-m", "ELPV sample", "--committer", "lab-01");
        String firstId = first.path("commit").path("id").asText();
        json(lib, "log", "log");
        json(lib, "show", "show", "HEAD");
        json(lib, "show", "show", "HEAD:batch/cell0001.png");
        json(lib, "ls", "ls");
        json(lib, "ls", "ls", "--summary");
        json(lib, "fsck", "fsck");
        json(lib, "reindex", "reindex");
        json(lib, "verify", "verify");
        json(lib, "migrate", "migrate");
        json(lib, "check-profile", "check", "profile");
        json(lib, "check-plausibility", "check", "plausibility");
        json(lib, "check-plausibility", "check", "plausibility", "--cell-type", "mono",
                Images.SAMPLE.resolve("images/cell0001.png").toString());
        json(lib, "descriptors", "descriptors");
        // The sample has near-duplicate pairs across splits, so leakage reports findings with exit 1.
        json(lib, 1, "leakage", "leakage");
        json(lib, 1, "leakage", "leakage", "--group-pattern", "cell00(\\d)");

        json(lib, "label-set", "label", "set", "batch/cell0004.png", "--defect", "defective", "--labeler", "lab-02",
                "--confidence", "0.8");
        Path relabels = write(tmp.resolve("relabels.csv"), "dataset_path,defects\nbatch/cell0010.png,\n");
        json(lib, "label-import", "label", "import", relabels.toString(), "--labeler", "lab-02");
        json(lib, "set", "set", "batch/cell0001.png", "batch/cell0002.png", "--attr", "module=M-1");
        json(lib, "set", "set", "batch/cell0006.png", "--site-local");
        json(lib, "mv", "mv", "batch/cell0003.png", "moved/cell0003.png");
        json(lib, "rm", "rm", "batch/cell0012.png");
        Path vectors = write(tmp.resolve("vectors.csv"), "dataset_path,f0,f1\nbatch/cell0001.png,0.5,-1\n"
                + "batch/cell0002.png,0.25,2\n");
        json(lib, "features-import", "features", "import", vectors.toString(), "--name", "emb");
        json(lib, "status", "status");
        json(lib, "commit", "commit", "-m", "relabel, move, remove, vectors", "--committer", "lab-02");
        json(lib, "features-rm", "features", "rm", "--name", "emb", "batch/cell0002.png");
        json(lib, "commit", "commit", "-m", "drop one vector");
        json(lib, "diff", "diff", firstId);
        json(lib, "diff", "diff", firstId, "HEAD", "--summary");
        json(lib, "log", "log", "--path", "batch/cell0001.png");
        json(lib, "show", "show", "HEAD:batch/cell0001.png");
        json(lib, "ls", "ls", "--defect", "defective", "--vocabulary", "current");

        json(lib, "tag", "tag", "v1");
        json(lib, "tag", "tag");
        json(lib, "config-set", "config", "set", "user.id", "lab-03");
        json(lib, "config-get", "config", "get", "user.id");
        json(lib, "config-get", "config", "get", "cell_types");
        json(lib, "config-get", "config", "get", "lock_timeout_seconds");
        json(lib, "config-list", "config", "list");
        json(lib, "config-unset", "config", "unset", "user.id");
        json(lib, "completion", "completion", "zsh");
        json(lib, "branch", "branch");
        json(lib, "branch", "branch", "side");
        json(lib, "switch", "switch", "side");
        json(lib, "set", "set", "batch/cell0005.png", "--attr", "module=M-2");
        json(lib, "commit", "commit", "-m", "module of cell0005");
        json(lib, "switch", "switch", "work");
        json(lib, "merge", "merge", "side", "-m", "merge side");
        json(lib, "branch", "branch", "-d", "side");
        json(lib, "branch", "branch", "work", "--site-local");
        json(lib, "branch", "branch", "work", "--no-site-local");

        Path out = tmp.resolve("export");
        json(lib, "export", "export", "--out", out.toString(), "--manifest", "jsonl");
        json(lib, "export", "export", "--verify", out.toString());
        json(lib, "exports-log", "exports", "log");

        json(lib, "review-sample", "review", "sample", "--out", tmp.resolve("sheet.csv").toString());
        JsonNode sample = json(lib, "review-sample", "review", "sample");
        // The sample is seeded by the HEAD commit id, which changes with the time of each run, and
        // may hold the record of the image removed above, which cannot be relabeled.
        List<String> labels = new ArrayList<>();
        for (JsonNode item : sample.path("items")) {
            if (!item.path("path").asText().equals("batch/cell0012.png")) {
                labels.add(item.path("label").asText());
            }
        }
        assertTrue(labels.size() >= 2, sample.toPrettyString());
        String label = labels.get(0);
        json(lib, "review-record", "review", "record", "--verifier", "ver-01", "--label", label, "--pass",
                "--note", "fine");
        String second = labels.get(1);
        JsonNode relabeled = json(lib, "review-record", "review", "record", "--verifier", "ver-01", "--label", second,
                "--relabel", "defective");
        assertEquals(64, relabeled.path("relabel_commit").asText().length(), relabeled.toPrettyString());
        json(lib, "review-status", "review", "status");

        json(lib, "policy", "policy");
        // The verified gate fails while sampled records are undecided: the full report with exit 1.
        json(lib, 1, "promote", "promote", "work", "--dry-run");

        json(lib, "model-register", "model", "register", "m1", "--data", "work");
        json(lib, "model-list", "model", "list");
        json(lib, "model-show", "model", "show", "m1");
        json(lib, "trace", "trace", "m1");
        error(lib, 11, "rollback", firstId, "-m", "first batch was mislabeled");
        json(lib, "rollback", "rollback", firstId, "-m", "first batch was mislabeled", "--ours");

        json(lib, "quality-agreement", "quality", "agreement");
        json(lib, "quality-drift", "quality", "drift");
        json(lib, "quality-report", "quality", "report", "--html", tmp.resolve("report.html").toString());

        json(lib, "split", "split", "--group-pattern", "cell00(\\d)", "--ratios", "0.6,0.2,0.2", "--seed", "7",
                "-m", "regroup");

        StringBuilder votes = new StringBuilder("path,expert,defects\n");
        for (int e = 1; e <= 5; e++) {
            votes.append("batch/cell0001.png,exp-").append(e).append(",defective\n");
            votes.append("batch/cell0002.png,exp-").append(e).append(e <= 3 ? ",defective\n" : ",none\n");
        }
        votes.append("batch/cell0005.png,exp-1,defective\n");
        Path votesFile = write(tmp.resolve("votes.csv"), votes.toString());
        json(lib, "gold-import", "gold", "import", votesFile.toString());
        json(lib, "gold-list", "gold", "list");
        json(lib, "gold-show", "gold", "show");
        Path answers = write(tmp.resolve("answers.csv"), "path,defects\nbatch/cell0001.png,defective\n");
        json(lib, "gold-test", "gold", "test", "--labeler", "lab-02", answers.toString(), "--month", "2026-03");
        json(lib, "gold-history", "gold", "history");

        json(lib, "vocab-rename", "vocab", "rename", "defective", "cell-defect");
        json(lib, "vocab-merge", "vocab", "merge", "cell-defect", "--into", "microcrack");
        StringBuilder map = new StringBuilder("dataset_path,defects\n");
        for (JsonNode image : json(lib, "ls", "ls", "--defect", "microcrack").path("images")) {
            map.append(image.path("path").asText()).append(",microcrack;finger\n");
        }
        json(lib, "vocab-split", "vocab", "split", "microcrack", "--map", write(tmp.resolve("map.csv"), map.toString()).toString());

        Path remote = tmp.resolve("remote");
        json(lib, "remote-add", "remote", "add", "origin", remote.toString());
        json(lib, "remote-list", "remote", "list");
        json(lib, "push", "push", "origin", "work");
        json(lib, "push", "push", "--tags");
        json(lib, "branch", "branch", "scratch");
        json(lib, "push", "push", "origin", "scratch");
        JsonNode deleted = json(lib, "push", "push", "--delete", "origin", "scratch");
        assertEquals("deleted", deleted.path("ref").asText(), deleted.toPrettyString());
        json(lib, "fetch", "fetch");
        json(lib, "pull", "pull");
        json(tmp, "clone", "clone", remote.toString(), "copy", "--filter", "cell-type=mono");
        json(lib, "remote-list", "remote", "list");
        json(lib, "gc", "gc", "--dry-run");
        json(lib, "gc", "gc", "--grace", "0s");
        json(lib, "purge", "purge", "batch/cell0001.png", "--reason", "contract ended");
        json(lib, "remote-remove", "remote", "remove", "origin");

        error(lib, 5, "show", "nosuch");
        error(lib, 2, "commit", "--no-such-option");
        error(lib, 9, "commit", "-m", "nothing staged");
        JsonNode rejected = error(lib, 3, "add", Images.SAMPLE.resolve("images").toString(), "--prefix", "again",
                "--labels", relabels.toString());
        assertTrue(rejected.path("error").has("problems"), rejected.toPrettyString());
        error(tmp, 4, "status");

        Set<String> unvalidated = new TreeSet<>(schemaNames());
        unvalidated.remove("common");
        unvalidated.removeAll(validated);
        assertEquals(Set.of(), unvalidated, "schemas that no command output was validated against");
    }

    @Test
    void schemasRejectChangedShapes() throws IOException {
        ObjectNode document = (ObjectNode) json(tmp, "init", "init", "lib", "--time-zone", "UTC");

        ObjectNode wrongType = document.deepCopy();
        wrongType.put("format_version", "3");
        assertFalse(problems("init", wrongType).isEmpty(), "a string format_version passed");

        ObjectNode missingKey = document.deepCopy();
        missingKey.remove("branch");
        assertFalse(problems("init", missingKey).isEmpty(), "a document without branch passed");

        ObjectNode extraKey = document.deepCopy();
        extraKey.put("unexpected", true);
        assertFalse(problems("init", extraKey).isEmpty(), "an undocumented key passed");

        ObjectNode newerVersion = document.deepCopy();
        newerVersion.put("schema_version", 2);
        assertFalse(problems("init", newerVersion).isEmpty(), "schema_version 2 passed");

        ObjectNode switched = (ObjectNode) json(tmp.resolve("lib"), "switch", "switch", "-c", "work");
        switched.put("commit", "abc123");
        assertFalse(problems("switch", switched).isEmpty(), "an abbreviated commit id passed");

        Path guide = write(tmp.resolve("guide.md"), "# Guide\n");
        ObjectNode added = (ObjectNode) json(tmp.resolve("lib"), "guideline-add", "guideline", "add", guide.toString(),
                "--version", "v1");
        ((ObjectNode) added.path("guideline")).put("added_at", "2026-03-07 08:00");
        assertFalse(problems("guideline-add", added).isEmpty(), "a time without T and offset passed");
    }
}
