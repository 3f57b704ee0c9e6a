package dev.dsv.imaging;

import java.io.IOException;

/** Image bytes that no javax.imageio reader recognizes or that fail to decode. */
public class ImageDecodeException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageDecodeException(String message) {
        super(message);
    }

    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
