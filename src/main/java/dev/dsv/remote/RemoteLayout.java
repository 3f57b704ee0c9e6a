package dev.dsv.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/** The keys of a remote (docs/design.md, "Remote layout") and the reads every command shares. */
final class RemoteLayout {
    /** The newest remote format this dsv reads and writes. */
    static final int FORMAT_VERSION = 2;
    /**
     * The format a new remote starts with. Version 2 adds ref tombstones, and a remote moves to it
     * only when a branch is deleted there, so older dsv versions keep working with it until then.
     */
    static final int CREATED_FORMAT_VERSION = 1;
    /** The start of a deleted branch's ref: {@code "deleted <commit id>"}, the commit it named. */
    static final String TOMBSTONE = "deleted ";
    static final String FORMAT = "format";
    static final String CONFIG = "config.json";
    static final String HEADS = "refs/heads/";
    static final String PROTECTED_HEADS = "protected/refs/heads/";
    static final String TAGS = "refs/tags/";
    static final String META = "meta/";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RemoteLayout() {
    }

    /**
     * Checks that a branch or tag name can be a remote key: local names may use letters of any
     * script, remote keys only {@code A-Z a-z 0-9 . _ - /}. Throws exit code 3 otherwise.
     */
    static void checkRefName(String name) {
        try {
            Keys.check(HEADS + name);
        } catch (IllegalArgumentException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.refName", name);
        }
    }

    /** Returns the key of a branch's ref; protected branches have their own prefix. */
    static String refKey(String branch, List<String> protectedBranches) {
        return (protectedBranches.contains(branch) ? PROTECTED_HEADS : HEADS) + branch;
    }

    /**
     * Checks the remote's {@code format} and returns its version. With {@code create}, an empty
     * remote gets one (a first push); without, a remote without one is not a dsv remote.
     */
    static int checkFormat(RemoteStorage storage, boolean create) {
        byte[] bytes = storage.get(FORMAT);
        if (bytes == null && create) {
            // A remote is made only in an empty place: a folder or prefix that holds other data
            // is a wrong URL or another tool's, and dsv never writes into it.
            List<String> foreign = storage.list("").stream().map(RemoteStorage.KeyInfo::key)
                    .filter(k -> !k.startsWith("tmp/") && !k.startsWith("locks/")).limit(3).toList();
            if (!foreign.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.notEmpty", storage.describe(),
                        String.join(", ", foreign));
            }
            storage.putIfAbsent(FORMAT, formatBytes(CREATED_FORMAT_VERSION));
            bytes = storage.get(FORMAT);
        }
        if (bytes == null) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.notDsv", storage.describe());
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INTEGRITY, "error.remote.badFormat", storage.describe(), e.getMessage());
        }
        if (n == null || !"dsv-remote".equals(n.path("format").asText()) || !n.path("version").canConvertToInt()) {
            throw new DsvException(ExitCode.INTEGRITY, "error.remote.badFormat", storage.describe(),
                    shown(new String(bytes, StandardCharsets.UTF_8).trim()));
        }
        int version = n.path("version").asInt();
        if (version > FORMAT_VERSION) {
            throw new DsvException(ExitCode.NEWER_FORMAT, "error.remote.newerFormat", storage.describe(), version, FORMAT_VERSION);
        }
        return version;
    }

    /**
     * Moves the remote to format version 2 before its first tombstone is written, so that older
     * dsv versions stop with "newer format" instead of failing on a ref they cannot read.
     */
    static void allowTombstones(RemoteStorage storage) {
        if (checkFormat(storage, false) < 2) {
            storage.put(FORMAT, formatBytes(2));
        }
    }

    /**
     * Returns text read from a remote as a message may quote it: control characters (which could
     * move the terminal's cursor or fake further lines) as backslash-u escapes, and at most 80 characters.
     */
    static String shown(String text) {
        StringBuilder sb = new StringBuilder();
        int limit = 80;
        for (int i = 0; i < text.length() && i < limit; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > limit) {
            sb.append("... (").append(text.length()).append(" characters)");
        }
        return sb.toString();
    }

    private static byte[] formatBytes(int version) {
        return ("{\"format\":\"dsv-remote\",\"version\":" + version + "}\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A branch or tag on the remote: its name, commit, the version token of its ref and the ref's
     * key. The commit is null for a tombstone, the ref of a deleted branch.
     */
    record RemoteRef(String name, ObjectId commit, String version, String key) {
    }

    /** Reads one branch or tag ref; null when the remote has no such ref or it was deleted. */
    static RemoteRef readRef(RemoteStorage storage, String key, String name) {
        RemoteRef ref = readRefOrTombstone(storage, key, name);
        return ref == null || ref.commit() == null ? null : ref;
    }

    /**
     * Reads one ref, including a tombstone, which comes back with a null commit and the version
     * that a compare-and-swap creating the branch again expects. Null when the key does not exist.
     */
    static RemoteRef readRefOrTombstone(RemoteStorage storage, String key, String name) {
        RemoteStorage.Versioned v = storage.getVersioned(key);
        if (v == null) {
            return null;
        }
        String text = new String(v.bytes(), StandardCharsets.UTF_8).trim();
        if (text.startsWith(TOMBSTONE) && ObjectId.isValidHex(text.substring(TOMBSTONE.length()))) {
            return new RemoteRef(name, null, v.version(), key);
        }
        if (!ObjectId.isValidHex(text)) {
            throw new DsvException(ExitCode.INTEGRITY, "error.remote.badRef", key, storage.describe(), shown(text));
        }
        return new RemoteRef(name, ObjectId.parse(text), v.version(), key);
    }

    /**
     * Reads a branch's ref under either prefix without a listing; null when the remote has no such
     * branch. Both prefixes are tried because this clone's protected branches may differ from the
     * pusher's.
     */
    static RemoteRef readBranchRef(RemoteStorage storage, String branch) {
        RemoteRef ref = readRef(storage, HEADS + branch, branch);
        return ref != null ? ref : readRef(storage, PROTECTED_HEADS + branch, branch);
    }

    /** Reads every branch ref of the remote, protected or not, keyed by branch name. */
    static Map<String, RemoteRef> readRefs(RemoteStorage storage) {
        return readRefs(storage, List.of(HEADS, PROTECTED_HEADS));
    }

    /** Reads every tag of the remote, keyed by tag name. */
    static Map<String, RemoteRef> readTags(RemoteStorage storage) {
        return readRefs(storage, List.of(TAGS));
    }

    private static Map<String, RemoteRef> readRefs(RemoteStorage storage, List<String> prefixes) {
        Map<String, RemoteRef> out = new TreeMap<>();
        for (String prefix : prefixes) {
            for (RemoteStorage.KeyInfo k : storage.list(prefix)) {
                String name = k.key().substring(prefix.length());
                RemoteRef ref = readRef(storage, k.key(), name);
                if (ref != null) {
                    out.put(name, ref);
                }
            }
        }
        return out;
    }

    /**
     * Returns the metadata record ids that the remote's lists name. Each list is content-addressed,
     * so lists cached in {@code cacheDir} are not downloaded again.
     */
    static Set<ObjectId> metaIds(RemoteStorage storage, Path cacheDir) {
        Set<ObjectId> ids = new LinkedHashSet<>();
        try {
            Files.createDirectories(cacheDir);
            for (RemoteStorage.KeyInfo k : storage.list(META)) {
                String name = k.key().substring(META.length());
                if (!name.startsWith("log-")) {
                    continue;
                }
                Path cached = cacheDir.resolve(name);
                byte[] bytes;
                if (Files.exists(cached)) {
                    bytes = Files.readAllBytes(cached);
                } else {
                    bytes = storage.get(k.key());
                    if (bytes == null) {
                        continue;
                    }
                    if (!("log-" + DigestUtils.sha256Hex(bytes)).equals(name)) {
                        throw new dev.dsv.error.IntegrityException("error.remote.corruptIndex", k.key(), storage.describe());
                    }
                    dev.dsv.store.AtomicFiles.write(cached, bytes);
                }
                for (String line : new String(bytes, StandardCharsets.US_ASCII).split("\n")) {
                    if (ObjectId.isValidHex(line.trim())) {
                        ids.add(ObjectId.parse(line.trim()));
                    }
                }
            }
        } catch (IOException e) {
            throw dev.dsv.store.StoreIOException.of(cacheDir, e);
        }
        return ids;
    }

    /** Returns the content and key name of a metadata list for {@code ids}. */
    static Map.Entry<String, byte[]> metaList(List<ObjectId> ids) {
        StringBuilder text = new StringBuilder();
        ids.stream().map(ObjectId::hex).sorted().forEach(h -> text.append(h).append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        return Map.entry("log-" + DigestUtils.sha256Hex(bytes), bytes);
    }
}
