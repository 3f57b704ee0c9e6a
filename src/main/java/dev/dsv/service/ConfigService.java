package dev.dsv.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.repo.RepositoryConfig;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code dsv config}: reads and changes the keys of {@code .dsv/config.json}. A dotted key
 * ({@code user.id}) is a nested object in the file. Changes are written atomically under the writer
 * lock, and keys this dsv does not know stay as they are.
 */
public final class ConfigService {
    /** The value form of a key, which decides how {@code set} parses and checks its text. */
    public enum Kind { TEXT, INTEGER, TIME_ZONE, LIST, PATH, SIGNING_FORMAT }

    /** The ways a key may change: by {@code dsv config set}, only by adding values, or not at all. */
    public enum Access { SETTABLE, ADD_ONLY, READ_ONLY }

    /**
     * One configuration key. {@code defaultValue} is null for a key without default;
     * {@code readOnlyKey} is the message key that names the other way to change the value.
     */
    public record Key(String name, Kind kind, JsonNode defaultValue, Access access, String readOnlyKey) {
        String[] path() {
            return name.split("\\.");
        }
    }

    /** A key with its value in the file ({@code set}) or its default, null when it has neither. */
    public record Entry(Key key, JsonNode value, boolean set) {
    }

    /** The key file that signs metadata records: a private key, or a public key whose private half is in ssh-agent. */
    public static final String SIGNING_KEY = "signing.key";
    /** The signature format; {@code ssh} is the only one built. */
    public static final String SIGNING_FORMAT = "signing.format";
    /** The allowed-signers file in OpenSSH's format; a relative path is under the library folder. */
    public static final String SIGNING_ALLOWED_SIGNERS = "signing.allowed_signers";
    /** The program that signs and checks signatures, {@code ssh-keygen} from OpenSSH. */
    public static final String SIGNING_PROGRAM = "signing.program";
    /** The maximum length of a file path setting, in characters. */
    public static final int MAX_PATH_LENGTH = 4096;

    /** The largest lock timeout accepted, one hour in seconds. */
    public static final int MAX_LOCK_TIMEOUT_SECONDS = 3600;
    /** The maximum length of a user id, in characters. */
    public static final int MAX_USER_ID_LENGTH = 200;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Every key that {@code dsv config} reads and writes, in the order {@code list} prints them. */
    public static final List<Key> KEYS = List.of(
            new Key("user.id", Kind.TEXT, null, Access.SETTABLE, null),
            new Key("time_zone", Kind.TIME_ZONE, NODES.textNode("UTC"), Access.SETTABLE, null),
            new Key("lock_timeout_seconds", Kind.INTEGER, NODES.numberNode(RepositoryConfig.DEFAULT_LOCK_TIMEOUT_SECONDS),
                    Access.SETTABLE, null),
            new Key("cell_types", Kind.LIST, list(RepositoryConfig.DEFAULT_CELL_TYPES), Access.ADD_ONLY, null),
            new Key("sources", Kind.LIST, list(RepositoryConfig.DEFAULT_SOURCES), Access.ADD_ONLY, null),
            new Key("defect_types", Kind.LIST, list(RepositoryConfig.DEFAULT_DEFECT_TYPES), Access.READ_ONLY,
                    "error.config.readOnly.defectTypes"),
            new Key("splits", Kind.LIST, list(RepositoryConfig.DEFAULT_SPLITS), Access.READ_ONLY,
                    "error.config.readOnly.splits"),
            new Key("protected_branches", Kind.LIST, list(List.of("main")), Access.READ_ONLY,
                    "error.config.readOnly.protectedBranches"),
            new Key("repository_id", Kind.TEXT, null, Access.READ_ONLY, "error.config.readOnly.repositoryId"),
            new Key(SIGNING_KEY, Kind.PATH, null, Access.SETTABLE, null),
            new Key(SIGNING_FORMAT, Kind.SIGNING_FORMAT, NODES.textNode("ssh"), Access.SETTABLE, null),
            new Key(SIGNING_ALLOWED_SIGNERS, Kind.PATH, NODES.textNode(".dsv/allowed_signers"), Access.SETTABLE, null),
            new Key(SIGNING_PROGRAM, Kind.PATH, NODES.textNode("ssh-keygen"), Access.SETTABLE, null));

    private final Session session;
    private final Path file;

    public ConfigService(Session session) {
        this.session = session;
        this.file = session.repository().dsvDir().resolve("config.json");
    }

    /** Returns every known key with its value. */
    public List<Entry> list() {
        ObjectNode root = readRoot();
        List<Entry> entries = new ArrayList<>();
        for (Key key : KEYS) {
            entries.add(entry(root, key));
        }
        return entries;
    }

    /** Returns one key with its value; an unknown key fails with exit 3 and the known keys. */
    public Entry get(String name) {
        return entry(readRoot(), key(name));
    }

    /** Checks {@code text} for the key, stores it and returns the new entry. */
    public Entry set(String name, String text) {
        Key key = key(name);
        if (key.access() == Access.READ_ONLY) {
            throw new DsvException(ExitCode.INVALID_INPUT, key.readOnlyKey(), key.name());
        }
        try (RepositoryLock lock = session.lock("config set")) {
            ObjectNode root = readRoot();
            Entry before = entry(root, key);
            JsonNode value = parse(key, text, before.value());
            if (key.name().equals(SIGNING_KEY) || key.name().equals(SIGNING_ALLOWED_SIGNERS)) {
                requireReadableFile(key, value.asText());
            }
            put(root, key.path(), value);
            write(root);
            return entry(root, key);
        }
    }

    /**
     * Rejects a signing file setting that names no readable regular file, resolved as signing
     * resolves it: a relative path is under the library folder. A missing key would only fail at
     * the next promotion, and a missing allowed-signers file would make fsck check no signer.
     */
    private void requireReadableFile(Key key, String value) {
        Path library = session.repository().dsvDir().getParent();
        Path resolved;
        try {
            resolved = library.resolve(value).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.config.noSuchFile", key.name(), value, value,
                    library);
        }
        if (!Files.isRegularFile(resolved) || !Files.isReadable(resolved)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.config.noSuchFile", key.name(), value, resolved,
                    library);
        }
    }

    /** Removes a key from the file, so that its default applies; returns whether the file had it. */
    public boolean unset(String name) {
        Key key = key(name);
        if (key.access() != Access.SETTABLE) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.config.cannotUnset", key.name());
        }
        try (RepositoryLock lock = session.lock("config unset")) {
            ObjectNode root = readRoot();
            if (!remove(root, key.path())) {
                return false;
            }
            write(root);
            return true;
        }
    }

    /** Returns the key named {@code name}; an unknown name fails with exit 3 and the known keys. */
    public static Key key(String name) {
        for (Key key : KEYS) {
            if (key.name().equals(name.strip())) {
                return key;
            }
        }
        throw new DsvException(ExitCode.INVALID_INPUT, "error.config.unknownKey", name, names());
    }

    /** Returns the known key names, comma-separated, for messages. */
    public static String names() {
        return String.join(", ", KEYS.stream().map(Key::name).toList());
    }

    private static Entry entry(ObjectNode root, Key key) {
        JsonNode node = root;
        for (String part : key.path()) {
            node = node == null || !node.isObject() ? null : node.get(part);
        }
        boolean set = node != null && !node.isNull();
        return new Entry(key, set ? node : key.defaultValue(), set);
    }

    private JsonNode parse(Key key, String text, JsonNode current) {
        String value = text.strip();
        switch (key.kind()) {
            case TEXT -> {
                if (value.isEmpty() || value.length() > MAX_USER_ID_LENGTH
                        || value.chars().anyMatch(Character::isISOControl)) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalidText", key.name(), text,
                            String.valueOf(MAX_USER_ID_LENGTH));
                }
                return NODES.textNode(dev.dsv.model.CanonicalJson.nfc(value));
            }
            case INTEGER -> {
                int seconds;
                try {
                    seconds = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    seconds = -1;
                }
                if (seconds < 0 || seconds > MAX_LOCK_TIMEOUT_SECONDS) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalidInteger", key.name(), text,
                            String.valueOf(MAX_LOCK_TIMEOUT_SECONDS));
                }
                return NODES.numberNode(seconds);
            }
            case TIME_ZONE -> {
                try {
                    return NODES.textNode(ZoneId.of(value).getId());
                } catch (DateTimeException e) {
                    throw new DsvException(ExitCode.INVALID_INPUT, e, "error.config.invalidZone", key.name(), text);
                }
            }
            case LIST -> {
                return parseList(key, text, current);
            }
            case PATH -> {
                if (value.isEmpty() || value.length() > MAX_PATH_LENGTH
                        || value.chars().anyMatch(Character::isISOControl)) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalidText", key.name(), text,
                            String.valueOf(MAX_PATH_LENGTH));
                }
                return NODES.textNode(value);
            }
            case SIGNING_FORMAT -> {
                if (!value.equals("ssh")) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.config.signingFormat", key.name(), text);
                }
                return NODES.textNode(value);
            }
            default -> throw new IllegalStateException("unhandled kind " + key.kind());
        }
    }

    /**
     * Parses a comma-separated list. An add-only key must keep every value it has, because images
     * may carry it; values compare case-insensitively, as the vocabularies match them.
     */
    private static JsonNode parseList(Key key, String text, JsonNode current) {
        Set<String> values = new LinkedHashSet<>();
        java.util.Map<String, String> folded = new java.util.HashMap<>();
        for (String part : text.split(",")) {
            String v = dev.dsv.model.CanonicalJson.nfc(part.strip());
            if (v.isEmpty() || v.equalsIgnoreCase("none") || v.chars().anyMatch(Character::isISOControl)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalidListValue", key.name(), part.strip());
            }
            String first = folded.putIfAbsent(v.toLowerCase(java.util.Locale.ROOT), v);
            if (first != null) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.config.duplicateListValue", key.name(), first, v);
            }
            values.add(v);
        }
        List<String> missing = new ArrayList<>();
        for (JsonNode old : current) {
            if (!folded.containsKey(old.asText().toLowerCase(java.util.Locale.ROOT))) {
                missing.add(old.asText());
            }
        }
        if (!missing.isEmpty()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.config.listRemoves", key.name(), String.join(", ", missing));
        }
        ArrayNode array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }

    private ObjectNode readRoot() {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.config.invalid", file, String.valueOf(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalid", file, "not a JSON object");
        }
        return (ObjectNode) root;
    }

    private void write(ObjectNode root) {
        try {
            AtomicFiles.write(file, MAPPER.writeValueAsBytes(root));
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
    }

    private void put(ObjectNode root, String[] path, JsonNode value) {
        ObjectNode parent = root;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = parent.get(path[i]);
            if (child == null || child.isNull()) {
                parent = parent.putObject(path[i]);
            } else if (child.isObject()) {
                parent = (ObjectNode) child;
            } else {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.config.invalid", file, path[i] + " is not a JSON object");
            }
        }
        parent.set(path[path.length - 1], value);
    }

    private static boolean remove(ObjectNode root, String[] path) {
        ObjectNode parent = root;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = parent.get(path[i]);
            if (child == null || !child.isObject()) {
                return false;
            }
            parent = (ObjectNode) child;
        }
        boolean had = parent.remove(path[path.length - 1]) != null;
        if (had && path.length > 1 && parent.isEmpty()) {
            root.remove(path[0]);
        }
        return had;
    }

    private static ArrayNode list(List<String> values) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }
}
