package dev.dsv.remote.s3;

import dev.dsv.remote.RemoteStorage.Versioned;
import dev.dsv.remote.RemoteStorageException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * The fallback for S3-compatible servers that ignore If-Match and If-None-Match: a ref (or a
 * put-if-absent key) is changed only by the holder of a lease lock object {@code locks/KEY}.
 *
 * <p>The lock object holds a holder id, a nonce and the lease length. To take it, a writer reads
 * it; if another holder's lock is there and has not expired, it waits and reads again. Otherwise
 * it writes its own lock, waits the settle time and reads it back: only the writer whose lock is
 * still there holds it. A writer whose own read-then-write took longer than half the settle time
 * does not trust its attempt and tries again, which bounds the window in which two writers can
 * both think they won (see docs/design.md, "S3"). Expiry is judged by each observer on its own
 * monotonic clock (the same nonce seen unchanged for the lease length), so clocks of different
 * machines need not agree.
 *
 * <p>Before it writes the ref, the holder checks that its lock is still there and that less than
 * two thirds of the lease have passed (the fencing check). After writing it reads the ref back; a
 * different value means the lease was broken, which is reported, never hidden.
 *
 * <p>Safe under these assumptions: the server is strongly consistent for reads after writes
 * (AWS S3 and most on-site stores are), a writer is not paused for longer than a third of the
 * lease between its fencing check and its ref write, and requests that complete within half the
 * settle time are visible to every reader afterwards.
 */
final class LeaseLock {
    private final S3RemoteStorage storage;
    private final long leaseMillis;
    private final long settleMillis;

    LeaseLock(S3RemoteStorage storage, long leaseMillis, long settleMillis) {
        this.storage = storage;
        this.leaseMillis = leaseMillis;
        this.settleMillis = settleMillis;
    }

    String compareAndSwap(String key, String expectedVersion, byte[] bytes) {
        while (true) {
            HeldLease held = acquire(key);
            try {
                if (!held.stillValid()) {
                    continue;
                }
                Versioned current = storage.getVersioned(key);
                boolean matches = expectedVersion == null ? current == null
                        : current != null && S3RemoteStorage.etag(expectedVersion).equals(current.version());
                if (!matches) {
                    return null;
                }
                if (!held.stillValid()) {
                    continue;
                }
                storage.put(key, bytes);
                Versioned after = storage.getVersioned(key);
                if (after == null || !Arrays.equals(after.bytes(), bytes)) {
                    throw new RemoteStorageException(storage.describe(), key,
                            "another writer changed the ref while this one held the lease lock "
                            + held.lockKey + "; check the ref and push again", false, null);
                }
                return after.version();
            } finally {
                held.release();
            }
        }
    }

    boolean putIfAbsent(String key, byte[] bytes) {
        while (true) {
            HeldLease held = acquire(key);
            try {
                if (storage.head(key) >= 0) {
                    return false;
                }
                if (!held.stillValid()) {
                    continue;
                }
                storage.put(key, bytes);
                return true;
            } finally {
                held.release();
            }
        }
    }

    private HeldLease acquire(String key) {
        String lockKey = S3RemoteStorage.LOCK_PREFIX + key;
        String holder = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + Math.max(3 * leaseMillis, 60_000) * 1_000_000L;
        String seenNonce = null;
        long seenSince = 0;
        long wait = Math.max(settleMillis / 2, 10);
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new RemoteStorageException(storage.describe(), lockKey,
                        "the lease lock stayed taken; another push may be stuck", true, null);
            }
            long start = System.nanoTime();
            Versioned lock = storage.getVersioned(lockKey);
            if (lock != null) {
                String[] parts = new String(lock.bytes(), StandardCharsets.UTF_8).trim().split(" ");
                String other = parts.length >= 4 ? parts[1] : "";
                String nonce = parts.length >= 4 ? parts[2] : lock.version();
                long otherLease = parts.length >= 4 ? parseLong(parts[3], leaseMillis) : leaseMillis;
                if (!other.equals(holder)) {
                    if (!nonce.equals(seenNonce)) {
                        seenNonce = nonce;
                        seenSince = start;
                    }
                    if ((start - seenSince) / 1_000_000L < otherLease) {
                        storage.sleep(wait, lockKey);
                        wait = Math.min(wait * 2, Math.max(leaseMillis / 8, settleMillis));
                        continue;
                    }
                }
            }
            String nonce = UUID.randomUUID().toString();
            storage.put(lockKey, ("dsv-lease " + holder + " " + nonce + " " + leaseMillis + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            long written = System.nanoTime();
            if ((written - start) / 1_000_000L > settleMillis / 2) {
                storage.sleep(wait, lockKey);
                continue;
            }
            storage.sleep(settleMillis, lockKey);
            Versioned check = storage.getVersioned(lockKey);
            if (check != null && new String(check.bytes(), StandardCharsets.UTF_8).contains(" " + nonce + " ")) {
                return new HeldLease(lockKey, nonce, start);
            }
            seenNonce = null;
            storage.sleep(wait, lockKey);
        }
    }

    private static long parseLong(String text, long fallback) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** A lease this writer holds. */
    private final class HeldLease {
        final String lockKey;
        final String nonce;
        final long since;

        HeldLease(String lockKey, String nonce, long since) {
            this.lockKey = lockKey;
            this.nonce = nonce;
            this.since = since;
        }

        /**
         * Runs the fencing check: the lock still holds this writer's nonce and less than two
         * thirds of the lease passed.
         */
        boolean stillValid() {
            if ((System.nanoTime() - since) / 1_000_000L > leaseMillis * 2 / 3) {
                return false;
            }
            return mine();
        }

        private boolean mine() {
            Versioned now = storage.getVersioned(lockKey);
            return now != null && new String(now.bytes(), StandardCharsets.UTF_8).contains(" " + nonce + " ");
        }

        void release() {
            if (mine()) {
                storage.delete(lockKey);
            }
        }
    }
}
