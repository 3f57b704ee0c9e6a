package dev.dsv.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link RemoteStorage} must have. A storage kind's test extends this class
 * and returns a fresh, empty storage from {@link #newStorage()}.
 */
public abstract class RemoteStorageContract {
    @TempDir
    protected Path scratch;

    protected RemoteStorage storage;

    /** Returns a new, empty storage; called before every test. */
    protected abstract RemoteStorage newStorage() throws Exception;

    @BeforeEach
    void openStorage() throws Exception {
        storage = newStorage();
    }

    @AfterEach
    void closeStorage() {
        storage.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void getOfMissingKeyIsNull() {
        assertNull(storage.get("packs/none"));
        assertNull(storage.getVersioned("refs/heads/none"));
        assertFalse(storage.download("packs/none", scratch.resolve("x")));
    }

    @Test
    void putThenGetAndRange() throws Exception {
        storage.put("packs/a.pack", bytes("0123456789"));
        assertArrayEquals(bytes("0123456789"), storage.get("packs/a.pack"));
        try (InputStream in = storage.getRange("packs/a.pack", 3, 4)) {
            assertArrayEquals(bytes("3456"), in.readAllBytes());
        }
        assertThrows(RemoteStorageException.class, () -> storage.getRange("packs/a.pack", 8, 5).close());
        storage.put("packs/a.pack", bytes("new"));
        assertArrayEquals(bytes("new"), storage.get("packs/a.pack"));
    }

    @Test
    void uploadAndDownloadFile() throws Exception {
        Path source = scratch.resolve("source");
        Files.write(source, new byte[300_000]);
        storage.upload("packs/big.pack", source);
        Path target = scratch.resolve("target");
        assertTrue(storage.download("packs/big.pack", target));
        assertEquals(300_000, Files.size(target));
    }

    @Test
    void putIfAbsentCreatesOnce() {
        assertTrue(storage.putIfAbsent("format", bytes("one")));
        assertFalse(storage.putIfAbsent("format", bytes("two")));
        assertArrayEquals(bytes("one"), storage.get("format"));
    }

    @Test
    void listByPrefixSortedWithSizes() {
        storage.put("packs/b", bytes("bb"));
        storage.put("packs/a", bytes("a"));
        storage.put("meta/log-1", bytes("x"));
        storage.compareAndSwap("refs/heads/main", null, bytes("c1"));
        List<RemoteStorage.KeyInfo> packs = storage.list("packs/");
        assertEquals(List.of(new RemoteStorage.KeyInfo("packs/a", 1), new RemoteStorage.KeyInfo("packs/b", 2)), packs);
        assertEquals(List.of("refs/heads/main"), storage.list("refs/").stream().map(RemoteStorage.KeyInfo::key).toList());
        storage.delete("packs/a");
        storage.delete("packs/a");
        assertEquals(1, storage.list("packs/").size());
    }

    @Test
    void compareAndSwapChecksVersion() {
        String v1 = storage.compareAndSwap("refs/heads/main", null, bytes("c1"));
        assertNotNull(v1);
        assertNull(storage.compareAndSwap("refs/heads/main", null, bytes("other")));
        String v2 = storage.compareAndSwap("refs/heads/main", v1, bytes("c2"));
        assertNotNull(v2);
        assertNull(storage.compareAndSwap("refs/heads/main", v1, bytes("stale")));
        RemoteStorage.Versioned now = storage.getVersioned("refs/heads/main");
        assertArrayEquals(bytes("c2"), now.bytes());
        assertEquals(v2, now.version());
    }

    @Test
    void concurrentCompareAndSwapHasOneWinner() throws Exception {
        String v1 = storage.compareAndSwap("refs/heads/work", null, bytes("base"));
        int writers = 8;
        AtomicInteger won = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    if (storage.compareAndSwap("refs/heads/work", v1, bytes("w" + n)) != null) {
                        won.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1, won.get());
    }

    @Test
    void probeReportsAtomicCompareAndSwap() {
        RemoteStorage.Capabilities caps = storage.probe();
        assertTrue(caps.atomicCompareAndSwap(), caps.detail());
        assertTrue(storage.list("tmp/").isEmpty());
    }
}
