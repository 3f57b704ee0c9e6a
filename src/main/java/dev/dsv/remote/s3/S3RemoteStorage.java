package dev.dsv.remote.s3;

import dev.dsv.error.IntegrityException;
import dev.dsv.remote.Keys;
import dev.dsv.remote.RemoteStorage;
import dev.dsv.remote.RemoteStorageException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A remote in an S3 bucket (AWS or an S3-compatible store), through the AWS SDK for Java v2. The
 * remote key {@code K} is the object {@code PREFIX/K} of the bucket named in
 * {@code s3://BUCKET/PREFIX}.
 *
 * <p>Refs move by conditional PUT: {@code If-None-Match: *} to create, {@code If-Match: ETAG} to
 * replace; HTTP 412 (or 409 for a conditional write that raced another) means another writer
 * won. {@link #probe()} checks that the server honours both headers. Where it does not and the
 * remote's {@code cas-fallback} option is {@code lease}, refs move while holding a lease lock
 * object instead ({@link LeaseLock}); otherwise the probe reports that compare-and-swap is not
 * atomic and the protocol refuses to move refs.
 *
 * <p>Files above {@link #MULTIPART_THRESHOLD} go up as multipart uploads of {@link #PART_SIZE}
 * parts; a part that fails transiently is sent again on its own, up to {@link #PART_ATTEMPTS}
 * times. Whole operations are retried by {@link dev.dsv.remote.RetryingStorage}, which reads
 * {@link RemoteStorageException#isTransient()}: HTTP 500, 502, 503, 504, throttling, timeouts and
 * connection resets are transient; 400, 403 and a missing bucket are not.
 */
public final class S3RemoteStorage implements RemoteStorage {
    static final long MULTIPART_THRESHOLD = 32L << 20;
    static final int PART_SIZE = 16 << 20;
    static final int PART_ATTEMPTS = 4;
    static final String LOCK_PREFIX = "locks/";
    private static final String PROBE_PREFIX = "tmp/probe-";

    private final S3Settings settings;
    private final String url;
    private final S3Client client;
    private final LeaseLock lease;
    /** Null until probed: then true when the lease lock replaces conditional writes. */
    private volatile Boolean useLease;

    public S3RemoteStorage(S3Settings settings, String url) {
        this.settings = settings;
        this.url = url;
        this.client = S3Clients.build(settings, url);
        this.lease = new LeaseLock(this, settings.leaseMillis(), settings.settleMillis());
    }

    /** Returns the settings this storage was opened with. */
    public S3Settings settings() {
        return settings;
    }

    @Override
    public String describe() {
        return url;
    }

    private String objectKey(String key) {
        return settings.objectKey(Keys.check(key));
    }

    // ---------------------------------------------------------------- reads

    @Override
    public byte[] get(String key) {
        Versioned v = read(key);
        return v == null ? null : v.bytes();
    }

    @Override
    public Versioned getVersioned(String key) {
        return read(key);
    }

    private Versioned read(String key) {
        String objectKey = objectKey(key);
        // Streamed and cut at the limit, so that a huge or endless response cannot fill memory.
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(settings.bucket()).key(objectKey))) {
            Long announced = in.response().contentLength();
            byte[] bytes = announced != null && announced > SMALL_KEY_LIMIT ? null : in.readNBytes((int) SMALL_KEY_LIMIT + 1);
            if (bytes == null || bytes.length > SMALL_KEY_LIMIT) {
                in.abort();
                throw new IntegrityException("error.remote.tooLarge", key, url, SMALL_KEY_LIMIT);
            }
            return new Versioned(bytes, etag(in.response().eTag()));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (SdkException e) {
            throw failure(key, e);
        } catch (IOException e) {
            throw new RemoteStorageException(url, key, ioDetail(e), isTransientIo(e), e);
        }
    }

    @Override
    public InputStream getRange(String key, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range");
        }
        String objectKey = objectKey(key);
        if (length == 0) {
            if (head(key) < offset) {
                throw new RemoteStorageException(url, key, "range beyond the end of the object", false, null);
            }
            return InputStream.nullInputStream();
        }
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = client.getObject(b -> b.bucket(settings.bucket()).key(objectKey)
                    .range("bytes=" + offset + "-" + (offset + length - 1)));
        } catch (NoSuchKeyException e) {
            throw new RemoteStorageException(url, key, "no such object", false, e);
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                throw new RemoteStorageException(url, key, "range beyond the end of the object", false, e);
            }
            throw failure(key, e);
        } catch (SdkException e) {
            throw failure(key, e);
        }
        Long got = in.response().contentLength();
        if (got == null || got != length) {
            in.abort();
            throw new RemoteStorageException(url, key, "the object is shorter than the range " + offset
                    + "+" + length, false, null);
        }
        return new ExactStream(in, length, key);
    }

    /** Copies at most {@code limit} bytes of {@code in} and returns how many it copied. */
    private static long copyAtMost(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[64 << 10];
        long total = 0;
        int n;
        while (total < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) > 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    /** Returns the size of a plain key, or -1 when it does not exist. */
    long head(String key) {
        String objectKey = objectKey(key);
        try {
            return client.headObject(b -> b.bucket(settings.bucket()).key(objectKey)).contentLength();
        } catch (NoSuchKeyException e) {
            return -1;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                return -1;
            }
            throw failure(key, e);
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    @Override
    public boolean download(String key, Path target, long maxBytes) {
        String objectKey = objectKey(key);
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(
                b -> b.bucket(settings.bucket()).key(objectKey))) {
            long expected = in.response().contentLength() == null ? -1 : in.response().contentLength();
            long copied = 0;
            if (expected <= maxBytes) {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    // One byte past the limit shows that the response goes on.
                    copied = copyAtMost(in, out, maxBytes == Long.MAX_VALUE ? maxBytes : maxBytes + 1);
                }
            }
            if (expected > maxBytes || copied > maxBytes) {
                in.abort();
                throw new IntegrityException("error.remote.tooLarge", key, url, maxBytes);
            }
            if (expected >= 0 && copied != expected) {
                throw new RemoteStorageException(url, key, "the download ended after " + copied + " of "
                        + expected + " bytes", true, null);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (SdkException e) {
            throw failure(key, e);
        } catch (IOException e) {
            throw new RemoteStorageException(url, key, ioDetail(e), isTransientIo(e), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // the caller's folder; nothing more to do
            }
        }
    }

    @Override
    public List<KeyInfo> list(String prefix) {
        Keys.checkPrefix(prefix);
        String base = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        String objectPrefix = base + prefix;
        List<KeyInfo> keys = new ArrayList<>();
        try {
            for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(settings.bucket())
                    .prefix(objectPrefix)).contents()) {
                String key = o.key().substring(base.length());
                keys.add(new KeyInfo(key, isCasKey(key) ? -1 : o.size()));
            }
        } catch (SdkException e) {
            throw failure(prefix.isEmpty() ? "/" : prefix, e);
        }
        keys.sort(Comparator.comparing(KeyInfo::key));
        return keys;
    }

    private static boolean isCasKey(String key) {
        return key.startsWith("refs/") || key.startsWith("protected/refs/");
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void put(String key, byte[] bytes) {
        String objectKey = objectKey(key);
        try {
            client.putObject(b -> b.bucket(settings.bucket()).key(objectKey), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    @Override
    public void upload(String key, Path file) {
        String objectKey = objectKey(key);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new RemoteStorageException(url, key, ioDetail(e), false, e);
        }
        if (size <= MULTIPART_THRESHOLD) {
            try {
                client.putObject(b -> b.bucket(settings.bucket()).key(objectKey), RequestBody.fromFile(file));
            } catch (SdkException e) {
                throw failure(key, e);
            }
            return;
        }
        uploadMultipart(key, objectKey, file, size);
    }

    private void uploadMultipart(String key, String objectKey, Path file, long size) {
        String uploadId;
        try {
            uploadId = client.createMultipartUpload(b -> b.bucket(settings.bucket()).key(objectKey)).uploadId();
        } catch (SdkException e) {
            throw failure(key, e);
        }
        boolean done = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buffer = new byte[(int) Math.min(PART_SIZE, size)];
            long offset = 0;
            for (int number = 1; offset < size; number++) {
                int length = (int) Math.min(PART_SIZE, size - offset);
                readFully(channel, offset, buffer, length);
                int partNumber = number;
                UploadPartResponse response = uploadPart(key, objectKey, uploadId, partNumber, buffer, length);
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(response.eTag())
                        .checksumCRC32(response.checksumCRC32()).build());
                offset += length;
            }
            client.completeMultipartUpload(b -> b.bucket(settings.bucket()).key(objectKey).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            done = true;
        } catch (SdkException e) {
            throw failure(key, e);
        } catch (IOException e) {
            throw new RemoteStorageException(url, key, ioDetail(e), false, e);
        } finally {
            if (!done) {
                try {
                    client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(objectKey).uploadId(uploadId));
                } catch (SdkException e) {
                    // the bucket's lifecycle rules clean up uploads that were never completed
                }
            }
        }
    }

    private UploadPartResponse uploadPart(String key, String objectKey, String uploadId, int partNumber,
            byte[] buffer, int length) {
        long wait = 200;
        for (int attempt = 1; ; attempt++) {
            try {
                return client.uploadPart(b -> b.bucket(settings.bucket()).key(objectKey).uploadId(uploadId)
                        .partNumber(partNumber).contentLength((long) length),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length),
                                length, "application/octet-stream"));
            } catch (SdkException e) {
                RemoteStorageException f = failure(key, e);
                if (!f.isTransient() || attempt >= PART_ATTEMPTS) {
                    throw f;
                }
            }
            sleep(wait, key);
            wait *= 2;
        }
    }

    private static void readFully(FileChannel channel, long offset, byte[] buffer, int length)
            throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buffer, 0, length);
        long pos = offset;
        while (b.hasRemaining()) {
            int n = channel.read(b, pos);
            if (n < 0) {
                throw new IOException("the file became shorter while it was uploaded");
            }
            pos += n;
        }
    }

    @Override
    public boolean putIfAbsent(String key, byte[] bytes) {
        if (leaseMode()) {
            return lease.putIfAbsent(key, bytes);
        }
        try {
            return conditionalPut(key, bytes, null, "*") != null;
        } catch (ConflictException e) {
            throw new RemoteStorageException(url, key, "a concurrent conditional write (HTTP 409)", true, e.cause);
        }
    }

    @Override
    public String compareAndSwap(String key, String expectedVersion, byte[] bytes) {
        if (leaseMode()) {
            return lease.compareAndSwap(key, expectedVersion, bytes);
        }
        try {
            return expectedVersion == null ? conditionalPut(key, bytes, null, "*")
                    : conditionalPut(key, bytes, expectedVersion, null);
        } catch (ConflictException e) {
            return null;
        }
    }

    /**
     * PUTs with If-Match and/or If-None-Match; returns the new ETag, or null when the server
     * refused with 412 (or 404 for If-Match on a missing object). Throws {@link ConflictException}
     * for 409, which AWS returns while another conditional write to the same key is in progress.
     */
    String conditionalPut(String key, byte[] bytes, String ifMatch, String ifNoneMatch) {
        String objectKey = objectKey(key);
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(settings.bucket()).key(objectKey);
        if (ifMatch != null) {
            req.ifMatch(etag(ifMatch));
        }
        if (ifNoneMatch != null) {
            req.ifNoneMatch(ifNoneMatch);
        }
        try {
            return etag(client.putObject(req.build(), RequestBody.fromBytes(bytes)).eTag());
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return null;
            }
            if (e.statusCode() == 409) {
                throw new ConflictException(e);
            }
            if (e.statusCode() == 404 && ifMatch != null && !isNoSuchBucket(e)) {
                return null;
            }
            throw failure(key, e);
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    @Override
    public void delete(String key) {
        String objectKey = objectKey(key);
        try {
            client.deleteObject(b -> b.bucket(settings.bucket()).key(objectKey));
        } catch (NoSuchKeyException e) {
            // absent is fine
        } catch (SdkException e) {
            throw failure(key, e);
        }
    }

    // ---------------------------------------------------------------- probe

    private boolean leaseMode() {
        Boolean mode = useLease;
        if (mode == null) {
            if (settings.casFallback() == S3Settings.CasFallback.NONE) {
                return false;
            }
            probe();
            mode = useLease;
        }
        return mode;
    }

    /**
     * Writes a fresh probe key under {@code tmp/} with {@code If-None-Match: *}, then again with
     * {@code If-None-Match: *} and with a wrong {@code If-Match} (both must be refused), then with
     * the right {@code If-Match} (must succeed), and deletes it.
     */
    @Override
    public Capabilities probe() {
        String key = PROBE_PREFIX + UUID.randomUUID();
        List<String> ignored = new ArrayList<>();
        String rightMatchRejected = null;
        try {
            String first;
            try {
                first = conditionalPut(key, probeBytes(1), null, "*");
            } catch (RemoteStorageException e) {
                if (rejectsHeader(e)) {
                    return decide(List.of("rejects If-None-Match on PUT (" + e.arguments()[2] + ")"), null);
                }
                throw e;
            }
            if (first == null) {
                return decide(List.of("refused to create a new probe key with If-None-Match: *"), null);
            }
            String second = conditionalPut(key, probeBytes(2), null, "*");
            if (second != null) {
                ignored.add("accepted a second If-None-Match: * write");
                first = second;
            }
            String wrong = conditionalPut(key, probeBytes(3), "\"0123456789abcdef0123456789abcdef\"", null);
            if (wrong != null) {
                ignored.add("accepted an If-Match write with a wrong ETag");
                first = wrong;
            }
            if (conditionalPut(key, probeBytes(4), first, null) == null) {
                rightMatchRejected = "refused an If-Match write with the current ETag";
            }
        } catch (ConflictException e) {
            throw new RemoteStorageException(url, key, "a concurrent conditional write (HTTP 409)", true, e.cause);
        } finally {
            try {
                delete(key);
            } catch (RemoteStorageException e) {
                // the probe key is harmless; the next probe uses another name
            }
        }
        return decide(ignored, rightMatchRejected);
    }

    private Capabilities decide(List<String> ignored, String rightMatchRejected) {
        List<String> problems = new ArrayList<>(ignored);
        if (rightMatchRejected != null) {
            problems.add(rightMatchRejected);
        }
        if (problems.isEmpty()) {
            useLease = false;
            return new Capabilities(true, "the server honours If-None-Match and If-Match on PUT");
        }
        String seen = "the server " + String.join(" and ", problems);
        if (settings.casFallback() == S3Settings.CasFallback.LEASE && rightMatchRejected == null) {
            useLease = true;
            return new Capabilities(true, seen + "; refs move under a lease lock (cas-fallback=lease)");
        }
        useLease = false;
        return new Capabilities(false, seen + ", so it does not support compare-and-swap; "
                + "configure the remote with --option cas-fallback=lease to move refs under a lease lock "
                + "(see docs/design.md, S3), or use a server with conditional writes");
    }

    private static boolean rejectsHeader(RemoteStorageException e) {
        Throwable c = e.getCause();
        return c instanceof SdkServiceException s && (s.statusCode() == 501 || s.statusCode() == 400);
    }

    private static byte[] probeBytes(int n) {
        return ("dsv conditional write probe " + n + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** True when the last probe chose the lease lock; null before any probe. */
    Boolean usesLease() {
        return useLease;
    }

    @Override
    public void close() {
        client.close();
    }

    // ---------------------------------------------------------------- errors

    static String etag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (!e.startsWith("\"")) {
            e = "\"" + e + "\"";
        }
        return e;
    }

    private static boolean isNoSuchBucket(S3Exception e) {
        return e instanceof NoSuchBucketException || "NoSuchBucket".equals(errorCode(e));
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    /** Turns an SDK failure into a storage failure that names the bucket and the next step. */
    RemoteStorageException failure(String key, SdkException e) {
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = errorCode(s3);
            String what = "HTTP " + status + (code == null ? "" : " " + code);
            if (isNoSuchBucket(s3) || (status == 404 && "NoSuchBucket".equals(code))) {
                return new RemoteStorageException(url, key, "bucket '" + settings.bucket()
                        + "' does not exist (" + what + ")", false, e);
            }
            if (status == 403 || status == 401) {
                String hint = "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)
                        ? "the credentials were rejected" : "access denied";
                return new RemoteStorageException(url, key, hint + " (" + what + "); check the credentials "
                        + (settings.profile() == null ? "of the AWS default chain" : "of profile '"
                        + settings.profile() + "'") + " and the bucket policy", false, e);
            }
            boolean transientFailure = status >= 500 || status == 429 || "SlowDown".equals(code)
                    || "Throttling".equals(code) || "RequestTimeout".equals(code);
            return new RemoteStorageException(url, key, what, transientFailure, e);
        }
        if (e instanceof SdkServiceException svc) {
            int status = svc.statusCode();
            return new RemoteStorageException(url, key, "HTTP " + status, status >= 500 || status == 429, e);
        }
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof SSLException) {
                return new RemoteStorageException(url, key, "TLS failed (" + cause.getMessage()
                        + "); if the server uses a site certificate authority, set --ca-bundle FILE", false, e);
            }
            if (cause instanceof UnknownHostException) {
                return new RemoteStorageException(url, key, "unknown host " + cause.getMessage(), false, e);
            }
            if (cause instanceof IOException io) {
                return new RemoteStorageException(url, key, ioDetail(io), isTransientIo(io), e);
            }
            cause = cause.getCause();
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof SdkClientException && message.toLowerCase(Locale.ROOT).contains("credentials")) {
            return new RemoteStorageException(url, key, "no usable credentials: "
                    + firstSentence(message), false, e);
        }
        return new RemoteStorageException(url, key, firstSentence(message), e.retryable(), e);
    }

    private static String firstSentence(String message) {
        int dot = message.indexOf(". ");
        return dot < 0 ? message : message.substring(0, dot);
    }

    private static boolean isTransientIo(IOException e) {
        return e instanceof SocketException || e instanceof SocketTimeoutException
                || e instanceof InterruptedIOException || e instanceof ConnectException
                || e instanceof NoRouteToHostException
                || e.getClass().getName().startsWith("org.apache.http")
                || e.getClass().getName().startsWith("org.apache.hc.")
                || (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("reset"));
    }

    private static String ioDetail(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    void sleep(long millis, String key) {
        try {
            Thread.sleep(millis + ThreadLocalRandom.current().nextLong(millis / 4 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteStorageException(url, key, "interrupted", false, e);
        }
    }

    /** A 409 answer to a conditional write: another conditional write to the key was in progress. */
    static final class ConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient S3Exception cause;

        ConflictException(S3Exception cause) {
            super("conditional write conflict", null, false, false);
            this.cause = cause;
        }
    }

    /** Checks that a ranged read delivers exactly the bytes asked for. */
    private final class ExactStream extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private long left;
        private final String key;

        ExactStream(ResponseInputStream<GetObjectResponse> in, long length, String key) {
            super(in);
            this.response = in;
            this.left = length;
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                checkEnd();
            } else {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                checkEnd();
            } else {
                left -= n;
            }
            return n;
        }

        /**
         * Skips like the response stream and counts the bytes, so that a read that skipped to its
         * end closes without aborting the connection.
         */
        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            if (skipped > 0) {
                left -= skipped;
            }
            return skipped;
        }

        private void checkEnd() {
            if (left > 0) {
                throw new RemoteStorageException(url, key, "the ranged read ended " + left + " bytes early",
                        true, null);
            }
        }

        @Override
        public void close() throws IOException {
            if (left > 0) {
                response.abort();
            }
            super.close();
        }
    }
}
