package dev.dsv.ingest;

/** Image container formats that {@link ImageCheck} recognizes by their magic bytes. */
public enum ImageFormat {
    PNG,
    JPEG,
    TIFF,
    BMP
}
