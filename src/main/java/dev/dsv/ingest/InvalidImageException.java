package dev.dsv.ingest;

/**
 * Thrown when a file is not a supported, complete image.
 *
 * <p>The detail is a short fact about the content without the file name, for example
 * "IEND chunk missing after byte 40213", so the caller can prefix the path.
 */
public final class InvalidImageException extends Exception {

    /** Cause category of a rejected file. */
    public enum Reason {
        /** The magic bytes match none of PNG, JPEG, TIFF or BMP. */
        NOT_AN_IMAGE,
        /** A header, length or offset points past the end of the file. */
        TRUNCATED,
        /** The structure contradicts the format specification. */
        MALFORMED,
        /** The file is structurally valid, but its pixel type is not 8- or 16-bit grayscale. */
        UNSUPPORTED_PIXELS
    }

    private final Reason reason;
    private final String detail;

    public InvalidImageException(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
        this.detail = detail;
    }

    public Reason reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }
}
