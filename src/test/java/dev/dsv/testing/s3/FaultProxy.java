package dev.dsv.testing.s3;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 proxy on 127.0.0.1 that sits between the S3 client and the test server and
 * injects faults: it can answer the next requests with an error status (500, 503...), cut a
 * connection after a number of request bytes (a reset in the middle of an upload) or response
 * body bytes (a reset in the middle of a download), and drop the If-Match and If-None-Match
 * headers (a server that ignores conditional writes). It also accepts absolute-form request lines,
 * so it can serve as the HTTP proxy of a remote. It counts the requests and the bytes each way.
 *
 * <p>It only ever connects to the one upstream port on 127.0.0.1 given at start.
 */
public final class FaultProxy implements AutoCloseable {

    private static final Set<String> HOP_HEADERS = Set.of("expect", "proxy-connection",
            "proxy-authorization");

    private final int upstreamPort;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger errorsLeft = new AtomicInteger();
    private volatile int errorStatus = 503;
    private final AtomicLong cutAfterBytes = new AtomicLong(-1);
    private final AtomicInteger cutsLeft = new AtomicInteger();
    private final AtomicLong requestBytes = new AtomicLong();
    private final AtomicLong responseBytes = new AtomicLong();
    private final AtomicLong responseCutAfter = new AtomicLong(-1);
    private final AtomicInteger responseCutsLeft = new AtomicInteger();
    private volatile boolean stripConditions;
    private volatile String endlessTarget;
    /** An endless answer stops after this many body bytes, so that a client that never stops cannot keep a test running. */
    private static final long ENDLESS_CAP = 2L << 30;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger absoluteFormRequests = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private volatile boolean closed;

    /** Starts a proxy that forwards to 127.0.0.1:upstreamPort. */
    public FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The proxy's endpoint, http://127.0.0.1:PORT. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The port the proxy listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Answers the next {@code count} requests with {@code status} and an S3 error body. */
    public void failNext(int count, int status) {
        errorStatus = status;
        errorsLeft.set(count);
    }

    /**
     * Cuts the next {@code times} connections that carry more than {@code bytes} request bytes
     * (headers and body) in total: the proxy resets both sides once that many bytes passed.
     */
    public void cutAfter(long bytes, int times) {
        cutAfterBytes.set(bytes);
        cutsLeft.set(times);
    }

    /**
     * Cuts the next {@code times} responses whose body is longer than {@code bodyBytes}: the proxy
     * resets the client's connection after that many body bytes, as a network failure in the
     * middle of a download would.
     */
    public void cutResponsesAfter(long bodyBytes, int times) {
        responseCutAfter.set(bodyBytes);
        responseCutsLeft.set(times);
    }

    /**
     * Answers every GET whose request target contains {@code targetPart} with status 200 and a body
     * that does not end (chunked, as a hostile or broken server could send), until the client closes
     * the connection. Null stops doing so.
     */
    public void endlessBodyFor(String targetPart) {
        endlessTarget = targetPart;
    }

    /** Drops If-Match and If-None-Match from every forwarded request (or stops doing so). */
    public void stripConditionalHeaders(boolean strip) {
        stripConditions = strip;
    }

    /** Requests received so far. */
    public int requests() {
        return requests.get();
    }

    /** Requests received in absolute form (as sent to an HTTP proxy). */
    public int absoluteFormRequests() {
        return absoluteFormRequests.get();
    }

    /** Faults injected so far (error answers and cut connections). */
    public int injectedFaults() {
        return injected.get();
    }

    /** Request bytes forwarded so far. */
    public long forwardedRequestBytes() {
        return requestBytes.get();
    }

    /** Response bytes (status lines, headers and bodies) sent to the clients so far. */
    public long responseBytes() {
        return responseBytes.get();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try (client) {
            InputStream cin = new BufferedInputStream(client.getInputStream());
            OutputStream cout = new CountingOutputStream(client.getOutputStream(), responseBytes);
            InputStream uin = null;
            OutputStream uout = null;
            long connBytes = 0;
            long cutAt = -1;
            while (true) {
                Head req = Head.read(cin);
                if (req == null) {
                    return;
                }
                requests.incrementAndGet();
                String endless = endlessTarget;
                if (endless != null && req.method().equals("GET") && req.target().contains(endless)) {
                    injected.incrementAndGet();
                    answerEndless(cout);
                    return;
                }
                if (cutAt < 0 && cutsLeft.get() > 0) {
                    cutAt = cutAfterBytes.get();
                }
                if (errorsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                    injected.incrementAndGet();
                    // Read the request body first: closing a socket with unread input sends a
                    // reset, which can reach the client before the error response does.
                    drainBody(req, cin);
                    answerError(cout, errorStatus);
                    return;
                }
                String target = req.target();
                if (target.startsWith("http://")) {
                    absoluteFormRequests.incrementAndGet();
                    int slash = target.indexOf('/', "http://".length());
                    target = slash < 0 ? "/" : target.substring(slash);
                }
                if (upstream == null) {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    open.add(upstream);
                    uin = new BufferedInputStream(upstream.getInputStream());
                    uout = upstream.getOutputStream();
                }
                boolean expectContinue = "100-continue".equalsIgnoreCase(req.header("expect"));
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                head.write((req.method() + " " + target + " " + req.version() + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                for (String[] h : req.headers()) {
                    String name = h[0].toLowerCase(Locale.ROOT);
                    if (HOP_HEADERS.contains(name)) {
                        continue;
                    }
                    if (stripConditions && (name.equals("if-match") || name.equals("if-none-match"))
                            && req.method().equals("PUT")) {
                        continue;
                    }
                    head.write((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                head.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                if (expectContinue) {
                    cout.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    cout.flush();
                }
                byte[] headBytes = head.toByteArray();
                connBytes = forward(headBytes, uout, connBytes, cutAt, client, upstream);
                connBytes = copyBody(req, cin, uout, connBytes, cutAt, client, upstream);
                uout.flush();
                Head resp = Head.read(uin);
                if (resp == null) {
                    return;
                }
                cout.write(resp.raw());
                boolean closeAfter = "close".equalsIgnoreCase(resp.header("connection"));
                int status = resp.status();
                if (!req.method().equals("HEAD") && status >= 200 && status != 204 && status != 304) {
                    if (!copyResponseBody(resp, uin, cout, client)) {
                        closeAfter = true;
                    }
                }
                cout.flush();
                if (closeAfter || "close".equalsIgnoreCase(req.header("connection"))) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client or the upstream went away, or the connection was cut on purpose
        } finally {
            if (upstream != null) {
                closeQuietly(upstream);
                open.remove(upstream);
            }
            open.remove(client);
        }
    }

    private static void answerEndless(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nETag: \"endless\"\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        byte[] chunk = new byte[64 << 10];
        java.util.Arrays.fill(chunk, (byte) '0');
        byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] end = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
        for (long sent = 0; sent < ENDLESS_CAP; sent += chunk.length) {
            out.write(size);
            out.write(chunk);
            out.write(end);
        }
        out.flush();
    }

    private long forward(byte[] bytes, OutputStream out, long connBytes, long cutAt, Socket client,
            Socket upstream) throws IOException {
        return forward(bytes, 0, bytes.length, out, connBytes, cutAt, client, upstream);
    }

    private long forward(byte[] bytes, int off, int len, OutputStream out, long connBytes,
            long cutAt, Socket client, Socket upstream) throws IOException {
        if (cutAt >= 0 && connBytes + len > cutAt) {
            int allowed = (int) Math.max(0, cutAt - connBytes);
            out.write(bytes, off, allowed);
            out.flush();
            if (cutsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                injected.incrementAndGet();
                reset(client);
                reset(upstream);
                throw new SocketException("cut on purpose");
            }
            out.write(bytes, off + allowed, len - allowed);
        } else {
            out.write(bytes, off, len);
        }
        requestBytes.addAndGet(len);
        return connBytes + len;
    }

    private long copyBody(Head req, InputStream in, OutputStream out, long connBytes, long cutAt,
            Socket client, Socket upstream) throws IOException {
        String length = req.header("content-length");
        byte[] buf = new byte[16384];
        if (length != null) {
            long left = Long.parseLong(length.trim());
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("client closed in the body");
                }
                connBytes = forward(buf, 0, n, out, connBytes, cutAt, client, upstream);
                left -= n;
            }
        } else if ("chunked".equalsIgnoreCase(req.header("transfer-encoding"))) {
            ByteArrayOutputStream chunked = new ByteArrayOutputStream();
            copyChunked(in, chunked);
            byte[] all = chunked.toByteArray();
            connBytes = forward(all, out, connBytes, cutAt, client, upstream);
        }
        return connBytes;
    }

    private boolean copyResponseBody(Head resp, InputStream in, OutputStream out, Socket client)
            throws IOException {
        String length = resp.header("content-length");
        if (length != null) {
            long left = Long.parseLong(length.trim());
            long cutAt = responseCutAfter.get();
            if (cutAt < 0 || left <= cutAt || responseCutsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) == 0) {
                cutAt = Long.MAX_VALUE;
            } else {
                injected.incrementAndGet();
            }
            byte[] buf = new byte[16384];
            long sent = 0;
            while (left > 0) {
                if (sent >= cutAt) {
                    out.flush();
                    reset(client);
                    throw new SocketException("response cut on purpose");
                }
                int n = in.read(buf, 0, (int) Math.min(Math.min(buf.length, left), cutAt - sent));
                if (n < 0) {
                    throw new IOException("upstream closed in the body");
                }
                out.write(buf, 0, n);
                left -= n;
                sent += n;
            }
            return true;
        }
        if ("chunked".equalsIgnoreCase(resp.header("transfer-encoding"))) {
            copyChunked(in, out);
            return true;
        }
        in.transferTo(out);
        return false;
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                while (true) {
                    String trailer = readLine(in);
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    if (trailer.isEmpty()) {
                        return;
                    }
                }
            }
            byte[] buf = in.readNBytes((int) size);
            if (buf.length != size) {
                throw new IOException("short chunk");
            }
            out.write(buf);
            readLine(in);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static void drainBody(Head req, InputStream in) throws IOException {
        String length = req.header("content-length");
        if (length != null) {
            in.skipNBytes(Long.parseLong(length.trim()));
        } else if ("chunked".equalsIgnoreCase(req.header("transfer-encoding"))) {
            copyChunked(in, OutputStream.nullOutputStream());
        }
    }

    private static void answerError(OutputStream out, int status) throws IOException {
        String code = status == 503 ? "SlowDown" : "InternalError";
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code
                + "</Code><Message>injected by the test proxy</Message></Error>";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " Injected\r\nContent-Type: application/xml\r\n"
                + "Content-Length: " + b.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new IOException("connection closed in a line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1
                        : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }

    /** Adds the bytes written through it to a counter. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private final AtomicLong count;

        CountingOutputStream(OutputStream out, AtomicLong count) {
            super(out);
            this.count = count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count.incrementAndGet();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count.addAndGet(len);
        }
    }

    /** The start line and headers of a request or response. */
    record Head(String startLine, List<String[]> headers, byte[] raw) {

        static Head read(InputStream in) throws IOException {
            String first = readLine(in);
            while (first != null && first.isEmpty()) {
                first = readLine(in);
            }
            if (first == null) {
                return null;
            }
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            raw.write((first + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            List<String[]> headers = new ArrayList<>();
            while (true) {
                String line = readLine(in);
                if (line == null) {
                    throw new IOException("connection closed in the headers");
                }
                raw.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                headers.add(new String[] {line.substring(0, colon).trim(),
                    line.substring(colon + 1).trim()});
            }
            return new Head(first, headers, raw.toByteArray());
        }

        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        String method() {
            return startLine.substring(0, startLine.indexOf(' '));
        }

        String target() {
            int a = startLine.indexOf(' ');
            int b = startLine.lastIndexOf(' ');
            return startLine.substring(a + 1, b);
        }

        String version() {
            return startLine.substring(startLine.lastIndexOf(' ') + 1);
        }

        int status() {
            String[] parts = startLine.split(" ", 3);
            return Integer.parseInt(parts[1]);
        }
    }
}
