package dev.dsv.service;

import dev.dsv.ingest.FileStats;
import dev.dsv.ingest.SourceFile;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.Repository;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The fast path of a re-add that changes nothing. An add records a fingerprint of everything it
 * reads before it compares with the stage, together with the stage tree it left. The fingerprint
 * covers the options, the path and stat of the labels file and of every image file as the walk
 * found them, the repository configuration and the length of the metadata log. A later add with
 * the same fingerprint would stage nothing while the stage is still that tree and no pack index
 * published then has gone. So such an add skips the name checks, the labels file, the stat cache
 * and the label records.
 *
 * <p>Like the stat cache, it trusts size, mtime, ctime and file key. A file rewritten in place at
 * the same size with its mtime set back has a new ctime, so it is seen; where the file system
 * reports no ctime (see {@link FileStats}) such a rewrite looks unchanged. A scan with a file (or
 * labels file) modified or changed (mtime or ctime) less than {@link #RACY_NANOS} before the add gets no fingerprint, as such
 * a file gets no stat cache row. The files go in in walk order, so a file system that lists an
 * unchanged folder in another order each time makes every re-add take the full path. The pack
 * condition keeps the guarantee of the full path that a re-add stores again blobs that went
 * missing with a deleted pack.
 */
final class AddScanMemo {
    /** Files modified this close to the add get no fingerprint. The stat cache uses the same margin. */
    static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final String VERSION = "dsv add scan 2";
    /** The file in .dsv that keeps the fingerprints; outside the SQLite index, so a hit opens no database. */
    static final String FILE_NAME = "scan-memo";
    private static final int MAX_ENTRIES = 64;
    /** Files per separately hashed run of file records. */
    private static final int CHUNK = 4096;

    private final Session session;
    private final String fingerprint;

    private AddScanMemo(Session session, String fingerprint) {
        this.session = session;
        this.fingerprint = fingerprint;
    }

    /**
     * Computes the fingerprint of an add's scan from the walk, before any name is normalized or
     * checked: an add that recorded this fingerprint passed every check on the same names. Returns
     * null when some file is too recent to trust its stat (see {@link #RACY_NANOS}).
     */
    static AddScanMemo of(Session session, AddService.Options options, List<AddService.Scanned> scanned) {
        long racyAfter = System.currentTimeMillis() * 1_000_000L - RACY_NANOS;
        Repository repo = session.repository();
        MessageDigest md = DigestUtils.getSha256Digest();
        field(md, VERSION);
        field(md, String.valueOf(repo.formatVersion()));
        field(md, options.prefix());
        field(md, String.valueOf(options.replace()));
        field(md, String.valueOf(options.defaults()));
        field(md, options.allowImplausible());
        field(md, String.valueOf(options.labelsLayout()));
        if (options.labels() != null) {
            field(md, realPath(options.labels()));
            String stat = stat(options.labels(), racyAfter);
            if (stat == null) {
                return null;
            }
            field(md, stat);
        }
        String config = contentHash(repo.dsvDir().resolve("config.json"));
        if (config == null) {
            return null;
        }
        field(md, config);
        // Metadata records (paused labelers, plausibility profiles, guideline versions) can change
        // how a row resolves. The log only grows, so its length marks any new record.
        field(md, String.valueOf(fileLength(repo.dsvDir().resolve("meta").resolve("log"))));
        for (AddService.Scanned s : scanned) {
            field(md, realPath(s.path()));
            field(md, s.path().toAbsolutePath().normalize().toString());
            field(md, s.folder() + "/" + s.files().size());
            for (SourceFile f : s.files()) {
                if (f.changedNanos() >= racyAfter) {
                    return null;
                }
            }
            for (byte[] chunk : chunkDigests(s.files())) {
                md.update(chunk);
            }
        }
        return new AddScanMemo(session, Hex.encodeHexString(md.digest()));
    }

    /**
     * Returns the SHA-256 of the file records of each run of {@link #CHUNK} files, in order,
     * computed on all cores: in a JVM that has just started, hashing runs interpreted for a while
     * and was a fifth of an unchanged re-add of 100 000 files. The runs have a fixed length, so the
     * fingerprint does not depend on the number of cores.
     */
    private static List<byte[]> chunkDigests(List<SourceFile> files) {
        int chunks = (files.size() + CHUNK - 1) / CHUNK;
        return IntStream.range(0, chunks).parallel().mapToObj(c -> {
            MessageDigest md = DigestUtils.getSha256Digest();
            FileRecords records = new FileRecords(md);
            for (SourceFile f : files.subList(c * CHUNK, Math.min(files.size(), (c + 1) * CHUNK))) {
                records.add(f);
            }
            records.flush();
            return md.digest();
        }).toList();
    }

    /**
     * Feeds the digest one binary record per file: the relative path, a zero byte, then size,
     * mtime, ctime, device and inode as 8 bytes each. Paths hold no zero byte, so the records
     * cannot run into each other. Buffered, as one digest update per field costs more than the
     * hashing itself.
     */
    private static final class FileRecords {
        private static final int LONGS = 5 * Long.BYTES + 1;
        private final MessageDigest md;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);

        FileRecords(MessageDigest md) {
            this.md = md;
        }

        void add(SourceFile f) {
            byte[] path = f.relativePath().getBytes(StandardCharsets.UTF_8);
            if (buffer.remaining() < path.length + LONGS) {
                flush();
            }
            if (path.length + LONGS > buffer.capacity()) {
                md.update(path);
            } else {
                buffer.put(path);
            }
            FileStats.Stat s = f.stat();
            buffer.put((byte) 0).putLong(s.size()).putLong(s.mtimeNanos()).putLong(s.ctimeNanos())
                    .putLong(s.device()).putLong(s.inode());
        }

        void flush() {
            md.update(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    /**
     * Returns true when an earlier add recorded this fingerprint with {@code stageTree} as its
     * result and every pack index published after that add is still there.
     */
    boolean unchangedSince(ObjectId stageTree) {
        String[] memo = read().get(fingerprint);
        if (memo == null || !memo[0].equals(stageTree.hex())) {
            return false;
        }
        List<String> packs = memo[1].isEmpty() ? List.of() : List.of(memo[1].split(","));
        return new HashSet<>(session.repository().store().publishedIndexNames()).containsAll(packs);
    }

    /**
     * Records this fingerprint with the stage tree the add left, keeping the latest
     * {@link #MAX_ENTRIES}. Call it after the add's packs are published, under the repository
     * lock. The file is replaced by a rename, so a reader sees the old or the new one whole.
     */
    void record(ObjectId stageTree) {
        Map<String, String[]> entries = read();
        entries.remove(fingerprint);
        String packs = String.join(",", session.repository().store().publishedIndexNames());
        entries.put(fingerprint, new String[] {stageTree.hex(), packs});
        StringBuilder text = new StringBuilder();
        int skip = entries.size() - MAX_ENTRIES;
        for (Map.Entry<String, String[]> e : entries.entrySet()) {
            if (skip-- > 0) {
                continue;
            }
            text.append(e.getKey()).append('\t').append(e.getValue()[0]).append('\t').append(e.getValue()[1]).append('\n');
        }
        Path file = file();
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(temporary, text);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // A cache: an add that cannot record its fingerprint only leaves the next re-add slower.
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // Nothing more to undo.
            }
        }
    }

    private Path file() {
        return session.repository().dsvDir().resolve(FILE_NAME);
    }

    /**
     * Reads the recorded fingerprints, oldest first: each maps to the stage tree and the comma
     * separated pack index names. A missing file or a malformed line counts as no record.
     */
    private Map<String, String[]> read() {
        Map<String, String[]> entries = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return entries;
        }
        for (String line : lines) {
            String[] parts = line.split("\t", -1);
            if (parts.length == 3 && parts[0].length() == 64 && parts[1].length() == 64) {
                entries.put(parts[0], new String[] {parts[1], parts[2]});
            }
        }
        return entries;
    }

    private static void field(MessageDigest md, String value) {
        md.update((value == null ? "\u0001null" : value).getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    private static String realPath(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize().toString();
        }
    }

    /** Returns "size/mtime/ctime/file key" of a file, or null when it was changed after {@code racyAfter}. */
    private static String stat(Path file, long racyAfter) {
        try {
            FileStats.Stat s = FileStats.read(file);
            return s.changedNanos() >= racyAfter ? null
                    : s.size() + "/" + s.mtimeNanos() + "/" + s.ctimeNanos() + "/" + s.fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Returns the SHA-256 of a file's bytes, "-" for a missing file, or null when it cannot be read. */
    private static String contentHash(Path file) {
        try {
            return DigestUtils.sha256Hex(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return "-";
        } catch (IOException e) {
            return null;
        }
    }

    private static long fileLength(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
