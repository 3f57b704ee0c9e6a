package dev.dsv.testing.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.PutOptions2;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;

/**
 * A real S3-compatible server for tests: S3Proxy 3.3.0 with its filesystem-nio2 backend in a
 * temporary folder, embedded in the test JVM and listening on 127.0.0.1 on a free port.
 *
 * <p>What stock S3Proxy guarantees (read in its source, S3ProxyHandler.handlePutBlob, and seen in
 * a race test): for the filesystem and transient backends it emulates If-None-Match and If-Match
 * on PUT by reading the object's metadata and then writing, in two separate steps with no lock.
 * Each object write is atomic (temporary file, then an atomic rename), but two conditional writes
 * to one key that arrive together can both pass the check, so stock S3Proxy is NOT atomic for
 * compare-and-swap.
 *
 * <p>{@link Conditions#ATOMIC} wraps the backend so that every conditional PUT re-checks its
 * condition and writes while holding a lock for that key; all writes of this server go through
 * that wrapper, so check-and-write is atomic for every client of this server (one JVM, one
 * process). This is the configuration the compare-and-swap tests run against.
 * {@link Conditions#STOCK} is stock S3Proxy (checks, not atomic). To get a server that ignores the
 * headers altogether, put a {@link FaultProxy} with {@code stripConditionalHeaders} in front.
 */
public final class S3TestServer implements AutoCloseable {

    /** How the server treats If-Match and If-None-Match on PUT. */
    public enum Conditions {
        /** Conditions checked and the write done under one per-key lock: atomic. */
        ATOMIC,
        /** Stock S3Proxy: conditions checked by a read before the write: not atomic. */
        STOCK
    }

    public static final String ACCESS_KEY = "dsv-test-access";
    public static final String SECRET_KEY = "dsv-test-secret-key-0123456789";

    private final Path dir;
    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final boolean ownsDir;

    private S3TestServer(Path dir, boolean ownsDir, Conditions conditions, boolean auth,
            URI secureEndpoint, String keyStore, String keyStorePassword) throws Exception {
        this.dir = dir;
        this.ownsDir = ownsDir;
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem-nio2").credentials("local", "local").overrides(props)
                .build(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        store = new LockingBlobStore(store, conditions == Conditions.ATOMIC);
        S3Proxy.Builder builder = S3Proxy.builder().blobStore(store)
                .awsAuthentication(auth ? AuthenticationType.AWS_V2_OR_V4 : AuthenticationType.NONE,
                        ACCESS_KEY, SECRET_KEY)
                .jettyMaxThreads(64);
        if (secureEndpoint != null) {
            builder.secureEndpoint(secureEndpoint).keyStore(keyStore, keyStorePassword);
        } else {
            builder.endpoint(URI.create("http://127.0.0.1:0"));
        }
        proxy = builder.build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
    }

    /** Starts an atomic server with signature checks, storing into a fresh temporary folder. */
    public static S3TestServer start() {
        return start(Conditions.ATOMIC);
    }

    /** Starts a server with signature checks and the given condition handling. */
    public static S3TestServer start(Conditions conditions) {
        try {
            return new S3TestServer(Files.createTempDirectory("dsv-s3"), true, conditions, true,
                    null, null, null);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
    }

    /** Starts a server without signature checks (requests may be rewritten on the way). */
    public static S3TestServer startWithoutAuth(Conditions conditions) {
        try {
            return new S3TestServer(Files.createTempDirectory("dsv-s3"), true, conditions, false,
                    null, null, null);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
    }

    /** Starts an atomic HTTPS server on 127.0.0.1 with the key pair in a PKCS12 key store. */
    public static S3TestServer startTls(Path keyStore, String password) {
        try {
            return new S3TestServer(Files.createTempDirectory("dsv-s3"), true, Conditions.ATOMIC,
                    true, URI.create("https://127.0.0.1:0"), keyStore.toString(), password);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
    }

    /** The endpoint URL, http://127.0.0.1:PORT (or https for a TLS server). */
    public String endpoint() {
        int port = proxy.getPort();
        if (port > 0) {
            return "http://127.0.0.1:" + port;
        }
        return "https://127.0.0.1:" + proxy.getSecurePort();
    }

    /** The port the server listens on. */
    public int port() {
        int port = proxy.getPort();
        return port > 0 ? port : proxy.getSecurePort();
    }

    /** Creates a bucket directly in the backend. */
    public void createBucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
    }

    /** The backend blob store, for tests that look at what the server holds. */
    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    /** The folder the backend stores objects in. */
    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy", e);
        }
        context.close();
        if (ownsDir) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks If-Match / If-None-Match and writes while holding a lock for the key (when
     * {@code atomic}), so that a conditional PUT is atomic against every other PUT to the same key
     * on this server. Also hides from listings the temporary files that the filesystem-nio2 backend
     * writes beside an object before renaming them into place (named {@code KEY-UUID}): S3 never
     * lists an object that is still being written, and S3Proxy 3.3.0 does.
     *
     * <p>Listings also run alone: S3Proxy 3.3.0's filesystem backend (AbstractNio2BlobStore.listHelper)
     * stops listing a folder, without an error, at the first file that disappears between the
     * folder read and the attribute read, such as a temporary file renamed into place. The listing
     * then lacks keys that existed long before it started. On S3 a listing contains every key written
     * before it began, so here a listing waits until no write or delete is in progress, and writes
     * wait for a listing in progress.
     */
    static final class LockingBlobStore extends ForwardingBlobStore {
        private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile(
                ".*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
        /** Writes and deletes share the read lock; a listing takes the write lock. */
        private final ReentrantReadWriteLock listingLock = new ReentrantReadWriteLock();
        private final boolean atomic;

        LockingBlobStore(BlobStore delegate, boolean atomic) {
            super(delegate);
            this.atomic = atomic;
        }

        @Override
        public org.jclouds.blobstore.domain.PageSet<? extends org.jclouds.blobstore.domain.StorageMetadata> list(
                String container, org.jclouds.blobstore.options.ListContainerOptions options) {
            org.jclouds.blobstore.domain.PageSet<? extends org.jclouds.blobstore.domain.StorageMetadata> page;
            listingLock.writeLock().lock();
            try {
                page = delegate().list(container, options);
            } finally {
                listingLock.writeLock().unlock();
            }
            java.util.List<org.jclouds.blobstore.domain.StorageMetadata> kept = new java.util.ArrayList<>();
            for (org.jclouds.blobstore.domain.StorageMetadata m : page) {
                if (m.getName() == null || !TEMPORARY.matcher(m.getName()).matches()) {
                    kept.add(m);
                }
            }
            return new org.jclouds.blobstore.domain.internal.PageSetImpl<>(kept, page.getNextMarker());
        }

        @Override
        public String putBlob(String container, Blob blob) {
            return putBlob(container, blob, PutOptions.NONE);
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            return whileNotListing(() -> {
                if (!atomic) {
                    return delegate().putBlob(container, blob, options);
                }
                String name = blob.getMetadata().getName();
                Object lock = locks.computeIfAbsent(container + "/" + name, k -> new Object());
                synchronized (lock) {
                    if (options instanceof PutOptions2 conditional) {
                        check(container, name, conditional);
                    }
                    return delegate().putBlob(container, blob, options);
                }
            });
        }

        @Override
        public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
            return whileNotListing(() -> delegate().completeMultipartUpload(upload, parts));
        }

        @Override
        public void removeBlob(String container, String name) {
            whileNotListing(() -> {
                delegate().removeBlob(container, name);
                return null;
            });
        }

        @Override
        public void removeBlobs(String container, Iterable<String> names) {
            whileNotListing(() -> {
                delegate().removeBlobs(container, names);
                return null;
            });
        }

        @Override
        public String copyBlob(String fromContainer, String fromName, String toContainer, String toName,
                CopyOptions options) {
            return whileNotListing(() -> delegate().copyBlob(fromContainer, fromName, toContainer, toName, options));
        }

        private <T> T whileNotListing(Supplier<T> change) {
            listingLock.readLock().lock();
            try {
                return change.get();
            } finally {
                listingLock.readLock().unlock();
            }
        }

        private void check(String container, String name, PutOptions2 options) {
            String ifMatch = options.getIfMatch();
            String ifNoneMatch = options.getIfNoneMatch();
            if (ifMatch == null && ifNoneMatch == null) {
                return;
            }
            BlobMetadata meta = delegate().blobMetadata(container, name);
            String etag = meta == null ? null : unquote(meta.getETag());
            boolean ok = true;
            if (ifMatch != null) {
                ok = meta != null && (ifMatch.equals("*") || unquote(ifMatch).equals(etag));
            }
            if (ifNoneMatch != null) {
                if (ifNoneMatch.equals("*")) {
                    ok &= meta == null;
                } else if (meta != null) {
                    ok &= !unquote(ifNoneMatch).equals(etag);
                }
            }
            if (!ok) {
                throw new HttpResponseException("precondition failed on " + name, null,
                        HttpResponse.builder().statusCode(412).build());
            }
        }

        private static String unquote(String etag) {
            if (etag == null) {
                return null;
            }
            String e = etag.startsWith("W/") ? etag.substring(2) : etag;
            if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
                e = e.substring(1, e.length() - 1);
            }
            return e;
        }
    }
}
