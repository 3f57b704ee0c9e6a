package dev.dsv.remote;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A view of the next {@code length} bytes of a stream. With {@code closeUnderlying} false, closing
 * the view leaves the underlying stream open for the caller that owns it.
 */
final class BoundedInputStream extends FilterInputStream {
    private final boolean closeUnderlying;
    private long remaining;

    BoundedInputStream(InputStream in, long length, boolean closeUnderlying) {
        super(in);
        this.remaining = length;
        this.closeUnderlying = closeUnderlying;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int b = in.read();
        if (b >= 0) {
            remaining--;
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(buf, off, (int) Math.min(len, remaining));
        if (n > 0) {
            remaining -= n;
        }
        return n;
    }

    /** Skips at most the bytes left in the view, so a skip cannot move past its end. */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0 || remaining <= 0) {
            return 0;
        }
        long skipped = in.skip(Math.min(n, remaining));
        if (skipped > 0) {
            remaining -= skipped;
        }
        return skipped;
    }

    @Override
    public void close() throws IOException {
        if (closeUnderlying) {
            in.close();
        }
    }
}
