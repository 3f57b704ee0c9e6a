package dev.dsv.imaging;

/** Image whose header declares more pixels than {@link GrayImage#MAX_PIXELS}; nothing was decoded. */
public final class ImageTooLargeException extends ImageDecodeException {
    private static final long serialVersionUID = 1L;

    private final int width;
    private final int height;
    private final long limit;

    public ImageTooLargeException(int width, int height, long limit) {
        super("the image is " + width + " x " + height + " pixels (" + (long) width * height
                + "), more than the " + limit + " pixels dsv decodes");
        this.width = width;
        this.height = height;
        this.limit = limit;
    }

    /** Wraps {@code cause} with a message that names the file. */
    ImageTooLargeException(String message, ImageTooLargeException cause) {
        super(message, cause);
        this.width = cause.width;
        this.height = cause.height;
        this.limit = cause.limit;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The pixel limit that the image exceeds. */
    public long limit() {
        return limit;
    }
}
