package dev.dsv.ingest;

import static dev.dsv.ingest.ImageCheck.GRAYSCALE_ONLY;
import static dev.dsv.ingest.ImageCheck.hexByte;
import static dev.dsv.ingest.ImageCheck.malformed;
import static dev.dsv.ingest.ImageCheck.truncated;
import static dev.dsv.ingest.ImageCheck.unsupported;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Checks a JPEG file: the marker segments up to the first SOS, the SOF header and the EOI marker
 * at the end. Entropy-coded data is not read.
 */
final class JpegCheck {

    /** Maximum number of zero bytes after the JPEG EOI marker that the check skips. */
    private static final int JPEG_MAX_ZERO_PADDING = 512;

    private JpegCheck() {
    }

    static ImageInfo check(PositionalReader source) throws IOException, InvalidImageException {
        long position = 2;
        ImageInfo info = null;

        while (true) {
            ByteBuffer marker = source.read(position, 2, ByteOrder.BIG_ENDIAN, "JPEG marker");
            int prefix = marker.get(0) & 0xFF;
            int code = marker.get(1) & 0xFF;
            if (prefix != 0xFF) {
                throw malformed("expected a JPEG marker (FF xx) at byte " + position + ", found "
                        + hexByte(prefix));
            }
            if (code == 0xFF) {
                // A marker may be preceded by any number of FF fill bytes.
                position += 1;
                continue;
            }
            if (code == 0x01 || (code >= 0xD0 && code <= 0xD7)) {
                // TEM and RST0 to RST7 are markers without a length field.
                position += 2;
                continue;
            }
            if (code == 0x00 || code == 0xD8 || code == 0xD9) {
                throw malformed("unexpected JPEG marker FF " + hexByte(code) + " at byte " + position
                        + " before the first SOS segment");
            }

            ByteBuffer lengthField = source.read(position + 2, 2, ByteOrder.BIG_ENDIAN,
                    "JPEG segment length");
            int length = lengthField.getShort(0) & 0xFFFF;
            if (length < 2) {
                throw malformed("JPEG segment FF " + hexByte(code) + " at byte " + position
                        + " has length " + length + ", expected at least 2");
            }
            // The length field counts itself but not the 2 marker bytes.
            long end = position + 2 + length;
            if (end > source.size) {
                throw truncated("JPEG segment FF " + hexByte(code) + " at byte " + position
                        + " ends at byte " + end + ", past the end of the file at byte " + source.size);
            }

            if (isJpegStartOfFrame(code)) {
                if (info != null) {
                    throw malformed("second SOF segment at byte " + position + " before the first SOS");
                }
                info = readJpegFrame(source, position, code, length);
            } else if (code == 0xDA) {
                if (info == null) {
                    throw malformed("SOS segment at byte " + position
                            + " comes before any SOF (start of frame) segment");
                }
                checkJpegEnd(source, end);
                return info;
            }
            position = end;
        }
    }

    /** Returns true for the SOF marker codes: C0 to CF except C4 (DHT), C8 (JPG) and CC (DAC). */
    private static boolean isJpegStartOfFrame(int code) {
        return code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC;
    }

    private static ImageInfo readJpegFrame(PositionalReader source, long position, int code, int length)
            throws IOException, InvalidImageException {
        if (length < 8) {
            throw malformed("SOF segment at byte " + position + " has length " + length
                    + ", expected at least 8");
        }
        ByteBuffer frame = source.read(position + 4, 6, ByteOrder.BIG_ENDIAN, "SOF segment");
        int precision = frame.get(0) & 0xFF;
        int height = frame.getShort(1) & 0xFFFF;
        int width = frame.getShort(3) & 0xFFFF;
        int components = frame.get(5) & 0xFF;

        if (components == 0) {
            throw malformed("SOF segment at byte " + position + " declares 0 components");
        }
        if (length != 8 + 3 * components) {
            throw malformed("SOF segment at byte " + position + " has length " + length + ", but "
                    + components + " components need " + (8 + 3 * components));
        }
        if (width == 0) {
            throw malformed("SOF segment at byte " + position + " declares width 0");
        }
        if (height == 0) {
            throw malformed("SOF segment at byte " + position
                    + " declares height 0 (height set by a DNL marker), which dsv does not support");
        }

        boolean lossless = code == 0xC3 || code == 0xC7 || code == 0xCB || code == 0xCF;
        boolean validPrecision;
        if (code == 0xC0) {
            validPrecision = precision == 8;
        } else if (lossless) {
            validPrecision = precision >= 2 && precision <= 16;
        } else {
            validPrecision = precision == 8 || precision == 12;
        }
        if (!validPrecision) {
            throw malformed("SOF" + (code - 0xC0) + " segment at byte " + position + " declares "
                    + precision + "-bit precision, which that frame type does not allow");
        }

        if (components != 1) {
            throw unsupported(precision + "-bit JPEG with " + components + " components; "
                    + GRAYSCALE_ONLY + " (1 component)");
        }
        int bitDepth;
        if (precision == 8) {
            bitDepth = 8;
        } else if (precision == 12 || precision == 16) {
            bitDepth = 16;
        } else {
            throw unsupported(precision + "-bit lossless grayscale JPEG; dsv accepts 8-, 12- or 16-bit");
        }
        return new ImageInfo(ImageFormat.JPEG, width, height, bitDepth);
    }

    /**
     * Requires the EOI marker FF D9 at the end of the file, after at most
     * {@link #JPEG_MAX_ZERO_PADDING} zero bytes, and after the end of the first SOS segment.
     */
    private static void checkJpegEnd(PositionalReader source, long scanStart)
            throws IOException, InvalidImageException {
        int tailLength = (int) Math.min(JPEG_MAX_ZERO_PADDING + 2L, source.size - scanStart);
        long tailStart = source.size - tailLength;
        ByteBuffer tail = source.read(tailStart, tailLength, ByteOrder.BIG_ENDIAN, "JPEG end");

        int end = tailLength;
        while (end > 0 && tail.get(end - 1) == 0) {
            end--;
        }
        if (end >= 2 && (tail.get(end - 2) & 0xFF) == 0xFF && (tail.get(end - 1) & 0xFF) == 0xD9) {
            return;
        }
        if (end < 2) {
            throw truncated("EOI marker FF D9 missing after the scan data that starts at byte "
                    + scanStart);
        }
        throw truncated("EOI marker FF D9 missing at the end of the file, whose last non-zero bytes are "
                + hexByte(tail.get(end - 2) & 0xFF) + " " + hexByte(tail.get(end - 1) & 0xFF)
                + " at byte " + (tailStart + end - 2));
    }
}
