package dev.dsv.leakage;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The descriptor cache, {@code .dsv/cache/descriptors.sqlite}: one row per blob with its
 * {@link Descriptor}, and one per blob that could not be decoded. Everything in it is derived from
 * blobs, so it is kept apart from the index ({@code dsv reindex} leaves it alone) and deleting it
 * only costs a recomputation. Rows of another {@link Descriptor#VERSION} count as missing.
 * Not thread-safe: one thread uses one cache object.
 */
public final class DescriptorCache implements AutoCloseable {
    /** The cache file's path relative to the {@code .dsv} folder. */
    public static final String FILE = "cache/descriptors.sqlite";

    private final Path file;
    private final Connection db;

    private DescriptorCache(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /** Opens (creating if needed) the cache of the repository whose {@code .dsv} folder is given. */
    public static DescriptorCache open(Path dsvDir) {
        Path file = dsvDir.resolve(FILE);
        try {
            Files.createDirectories(file.getParent());
            dev.dsv.index.SqliteNativeLibrary.prepare();
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                // A cache: losing the last rows on a power cut costs a recomputation, never data.
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=30000");
                s.execute("CREATE TABLE IF NOT EXISTS descriptors (blob TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                        + " width INTEGER NOT NULL, height INTEGER NOT NULL, hash INTEGER NOT NULL,"
                        + " crops BLOB NOT NULL, thumbnail BLOB NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS failures (blob TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                        + " error TEXT NOT NULL)");
            }
            db.setAutoCommit(false);
            return new DescriptorCache(file, db);
        } catch (IOException | SQLException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.descriptors.open", file, e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    /** Returns the blobs among {@code blobs} that have neither a current descriptor nor a recorded failure. */
    public java.util.Set<ObjectId> missing(Collection<ObjectId> blobs) {
        java.util.Set<ObjectId> known = new java.util.HashSet<>();
        forEachKnown((blob, ok) -> known.add(blob));
        java.util.Set<ObjectId> out = new java.util.LinkedHashSet<>();
        for (ObjectId b : blobs) {
            if (!known.contains(b)) {
                out.add(b);
            }
        }
        return out;
    }

    /** Calls the action for every blob with a current descriptor (true) or recorded failure (false). */
    private void forEachKnown(BiConsumer<ObjectId, Boolean> action) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT blob, 1 FROM descriptors WHERE version = ? UNION ALL SELECT blob, 0 FROM failures WHERE version = ?")) {
            ps.setInt(1, Descriptor.VERSION);
            ps.setInt(2, Descriptor.VERSION);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    action.accept(ObjectId.parse(rs.getString(1)), rs.getInt(2) == 1);
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Stores descriptors and failures in one transaction. */
    public void putAll(Map<ObjectId, Descriptor> descriptors, Map<ObjectId, String> failures) {
        try (PreparedStatement d = db.prepareStatement("INSERT OR REPLACE INTO descriptors VALUES (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement f = db.prepareStatement("INSERT OR REPLACE INTO failures VALUES (?, ?, ?)")) {
            for (Map.Entry<ObjectId, Descriptor> e : descriptors.entrySet()) {
                Descriptor x = e.getValue();
                d.setString(1, e.getKey().hex());
                d.setInt(2, Descriptor.VERSION);
                d.setInt(3, x.width());
                d.setInt(4, x.height());
                d.setLong(5, x.hash());
                d.setBytes(6, longsToBytes(x.cropHashes()));
                d.setBytes(7, x.thumbnail());
                d.addBatch();
            }
            for (Map.Entry<ObjectId, String> e : failures.entrySet()) {
                f.setString(1, e.getKey().hex());
                f.setInt(2, Descriptor.VERSION);
                f.setString(3, e.getValue());
                f.addBatch();
            }
            d.executeBatch();
            f.executeBatch();
            db.commit();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Returns the recorded decoding failures among the given blobs, with their messages. */
    public Map<ObjectId, String> failures(Collection<ObjectId> blobs) {
        java.util.Set<ObjectId> wanted = new java.util.HashSet<>(blobs);
        Map<ObjectId, String> out = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT blob, error FROM failures WHERE version = ?")) {
            ps.setInt(1, Descriptor.VERSION);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectId id = ObjectId.parse(rs.getString(1));
                    if (wanted.contains(id)) {
                        out.put(id, rs.getString(2));
                    }
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return out;
    }

    /** Receives the hashes of one stored descriptor. */
    @FunctionalInterface
    public interface HashConsumer {
        void accept(ObjectId blob, long hash, long[] cropHashes);
    }

    /**
     * Streams the hashes of every current descriptor, in blob order. With {@code withCrops} false
     * the crop hashes are not read and the consumer gets null for them.
     */
    public void forEachHash(boolean withCrops, HashConsumer consumer) {
        String sql = "SELECT blob, hash" + (withCrops ? ", crops" : "") + " FROM descriptors WHERE version = ?"
                + " ORDER BY blob";
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setInt(1, Descriptor.VERSION);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    consumer.accept(ObjectId.parse(rs.getString(1)), rs.getLong(2),
                            withCrops ? bytesToLongs(rs.getBytes(3)) : null);
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Returns the thumbnails of the given blobs that have a current descriptor. */
    public Map<ObjectId, byte[]> thumbnails(Collection<ObjectId> blobs) {
        Map<ObjectId, byte[]> out = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT thumbnail FROM descriptors WHERE blob = ? AND version = ?")) {
            for (ObjectId b : blobs) {
                ps.setString(1, b.hex());
                ps.setInt(2, Descriptor.VERSION);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(b, rs.getBytes(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return out;
    }

    /** Returns the stored descriptor of a blob, or null. */
    public Descriptor get(ObjectId blob) {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT width, height, hash, crops, thumbnail FROM descriptors WHERE blob = ? AND version = ?")) {
            ps.setString(1, blob.hex());
            ps.setInt(2, Descriptor.VERSION);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Descriptor(rs.getInt(1), rs.getInt(2), rs.getLong(3), bytesToLongs(rs.getBytes(4)),
                        rs.getBytes(5)) : null;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    static byte[] longsToBytes(long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    static long[] bytesToLongs(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long[] out = new long[bytes.length / Long.BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getLong();
        }
        return out;
    }

    private DsvException failure(SQLException e) {
        return new DsvException(ExitCode.IO_ERROR, e, "error.descriptors.failed", file, e.getMessage());
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw failure(e);
        }
    }
}
