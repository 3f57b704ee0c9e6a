package dev.dsv.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.repo.Repository;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The remotes of a repository, in {@code .dsv/remotes.json}: name, URL, options and, for a partial
 * clone, the blob filter. Credentials are never written here.
 */
public final class RemoteConfig {
    /** One configured remote; {@code filter} null means every blob is fetched. */
    public record Remote(RemoteSpec spec, BlobFilter filter) {
        public String name() {
            return spec.name();
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Map<String, Remote> remotes;

    private RemoteConfig(Path file, Map<String, Remote> remotes) {
        this.file = file;
        this.remotes = remotes;
    }

    /** Reads the remotes of a repository; a missing file means none. */
    public static RemoteConfig read(Repository repo) {
        Path file = repo.dsvDir().resolve("remotes.json");
        Map<String, Remote> remotes = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return new RemoteConfig(file, remotes);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.config.invalid", file, e.getMessage());
        }
        for (JsonNode n : root.path("remotes")) {
            Map<String, String> options = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : n.path("options").properties()) {
                options.put(e.getKey(), e.getValue().asText());
            }
            String name = n.path("name").asText();
            BlobFilter filter = n.hasNonNull("filter") ? BlobFilter.fromDescription(n.get("filter").asText()) : null;
            remotes.put(name, new Remote(new RemoteSpec(name, n.path("url").asText(), options), filter));
        }
        return new RemoteConfig(file, remotes);
    }

    public List<Remote> list() {
        return new ArrayList<>(remotes.values());
    }

    /** Returns a remote by name; throws exit code 5 naming the configured remotes when unknown. */
    public Remote require(String name) {
        Remote r = remotes.get(name);
        if (r == null) {
            throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.remote.unknown", name,
                    remotes.isEmpty() ? "none" : String.join(", ", remotes.keySet()));
        }
        return r;
    }

    /** Returns the remote a command uses when none is named: {@code origin}, or the only remote. */
    public Remote defaultRemote() {
        if (remotes.containsKey("origin")) {
            return remotes.get("origin");
        }
        if (remotes.size() == 1) {
            return remotes.values().iterator().next();
        }
        throw new DsvException(ExitCode.USAGE, "error.remote.noDefault",
                remotes.isEmpty() ? "none" : String.join(", ", remotes.keySet()));
    }

    public boolean contains(String name) {
        return remotes.containsKey(name);
    }

    /** Adds or replaces a remote and writes the file. The caller holds the writer lock. */
    public void put(Remote remote) {
        remotes.put(remote.name(), remote);
        write();
    }

    /** Removes a remote and writes the file. The caller holds the writer lock. */
    public void remove(String name) {
        remotes.remove(name);
        write();
    }

    private void write() {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode list = root.putArray("remotes");
        for (Remote r : remotes.values()) {
            ObjectNode n = list.addObject();
            n.put("name", r.name());
            n.put("url", r.spec().url());
            ObjectNode options = n.putObject("options");
            r.spec().options().forEach(options::put);
            if (r.filter() != null) {
                n.put("filter", r.filter().describe());
            }
        }
        try {
            AtomicFiles.write(file, MAPPER.writeValueAsBytes(root));
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
    }
}
