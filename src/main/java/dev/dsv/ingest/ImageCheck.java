package dev.dsv.ingest;

import dev.dsv.ingest.InvalidImageException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Checks by content whether a file is a complete 8- or 16-bit grayscale PNG, JPEG, TIFF or BMP
 * image, without decoding pixels.
 *
 * <p>The check reads only signatures, headers, PNG chunk headers, JPEG marker segments up to the
 * first SOS, the JPEG tail, TIFF IFDs with their strip or tile tables, and the BMP palette. All
 * reads are positional, so the channel position stays where the caller left it. Passing the check
 * does not prove that the compressed pixel data decodes, because PNG CRCs, PNG IDAT contents,
 * TIFF strip contents and JPEG entropy-coded data are not read.
 */
public final class ImageCheck {

    static final String GRAYSCALE_ONLY = "dsv accepts 8- or 16-bit grayscale";

    static final byte[] PNG_SIGNATURE = {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'
    };
    private static final byte[] TIFF_LITTLE_ENDIAN = {'I', 'I', 42, 0};
    private static final byte[] TIFF_BIG_ENDIAN = {'M', 'M', 0, 42};
    private static final byte[] BIGTIFF_LITTLE_ENDIAN = {'I', 'I', 43, 0};
    private static final byte[] BIGTIFF_BIG_ENDIAN = {'M', 'M', 0, 43};

    private ImageCheck() {
    }

    /**
     * Detects the format of the file behind {@code channel} and checks that its headers are
     * complete and consistent and that its pixel type is 8- or 16-bit grayscale.
     *
     * @return format, size and bit depth from the headers
     * @throws InvalidImageException if the file is not a supported image, is cut off, is
     *     malformed or has another pixel type
     * @throws IOException if reading the channel fails
     */
    public static ImageInfo check(FileChannel channel) throws IOException, InvalidImageException {
        return check(channel, ByteBuffer.allocate(0));
    }

    /**
     * Checks the file behind {@code channel} like {@link #check(FileChannel)}, taking the bytes
     * that lie inside {@code start} from it instead of the channel. The caller read {@code start}
     * from position 0 of the same channel: its limit is the number of bytes read, and its position
     * is ignored. A caller that reads the first bytes of the file for another purpose anyway
     * (hashing, say) saves the small reads of the check, each of which can be a separate disk
     * request on a cold page cache.
     */
    public static ImageInfo check(FileChannel channel, ByteBuffer start) throws IOException, InvalidImageException {
        PositionalReader source = new PositionalReader(channel, channel.size(), start);
        if (source.size == 0) {
            throw new InvalidImageException(Reason.NOT_AN_IMAGE, "file is empty");
        }
        byte[] head = source.readHead();

        if (startsWith(head, PNG_SIGNATURE)) {
            return PngCheck.check(source);
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8) {
            return JpegCheck.check(source);
        }
        if (startsWith(head, TIFF_LITTLE_ENDIAN)) {
            return TiffCheck.check(source, ByteOrder.LITTLE_ENDIAN);
        }
        if (startsWith(head, TIFF_BIG_ENDIAN)) {
            return TiffCheck.check(source, ByteOrder.BIG_ENDIAN);
        }
        if (startsWith(head, BIGTIFF_LITTLE_ENDIAN) || startsWith(head, BIGTIFF_BIG_ENDIAN)) {
            throw unsupported("BigTIFF (version 43) is not supported; save the image as classic TIFF");
        }
        if (head.length >= 2 && head[0] == 'B' && head[1] == 'M') {
            return BmpCheck.check(source);
        }
        if (isCutSignature(head, PNG_SIGNATURE, 4)
                || isCutSignature(head, TIFF_LITTLE_ENDIAN, 3)
                || isCutSignature(head, TIFF_BIG_ENDIAN, 3)) {
            throw truncated("file ends at byte " + head.length + " inside the image signature");
        }
        throw new InvalidImageException(Reason.NOT_AN_IMAGE, describeHead(head));
    }

    private static boolean startsWith(byte[] head, byte[] signature) {
        if (head.length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if (head[i] != signature[i]) {
                return false;
            }
        }
        return true;
    }

    /** Returns true if the whole file is a prefix of {@code signature} with at least {@code minLength} bytes. */
    private static boolean isCutSignature(byte[] head, byte[] signature, int minLength) {
        if (head.length < minLength || head.length >= signature.length) {
            return false;
        }
        for (int i = 0; i < head.length; i++) {
            if (head[i] != signature[i]) {
                return false;
            }
        }
        return true;
    }

    /** Returns a detail such as "starts with bytes 47 49 46 38 39 61 01 00 (GIF)". */
    private static String describeHead(byte[] head) {
        String detail = "starts with bytes " + hex(head, 8);
        String guess = guessFormat(head);
        return guess == null ? detail : detail + " (" + guess + ")";
    }

    private static String guessFormat(byte[] head) {
        if (startsWith(head, ascii("GIF8"))) {
            return "GIF";
        }
        if (startsWith(head, ascii("RIFF")) && head.length >= 12
                && new String(head, 8, 4, StandardCharsets.US_ASCII).equals("WEBP")) {
            return "WebP";
        }
        if (startsWith(head, new byte[] {'P', 'K', 3, 4}) || startsWith(head, new byte[] {'P', 'K', 5, 6})) {
            return "ZIP";
        }
        if (startsWith(head, ascii("%PDF"))) {
            return "PDF";
        }
        if (startsWith(head, new byte[] {0x1F, (byte) 0x8B})) {
            return "gzip";
        }
        if (startsWith(head, new byte[] {0, 0, 0, 12, 'j', 'P', ' ', ' '})) {
            return "JPEG 2000";
        }
        if (startsWith(head, new byte[] {(byte) 0xFF, 0x0A})
                || startsWith(head, new byte[] {0, 0, 0, 12, 'J', 'X', 'L', ' '})) {
            return "JPEG XL";
        }
        if (head.length >= 8 && new String(head, 4, 4, StandardCharsets.US_ASCII).equals("ftyp")) {
            return "ISO media such as HEIF, AVIF or MP4";
        }
        if (isText(head)) {
            return "text";
        }
        return null;
    }

    private static boolean isText(byte[] head) {
        for (byte b : head) {
            int value = b & 0xFF;
            boolean printable = value >= 0x20 && value < 0x7F;
            if (!printable && value != '\t' && value != '\n' && value != '\r') {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- shared helpers

    static String hex(byte[] bytes, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, maxLength); i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(hexByte(bytes[i] & 0xFF));
        }
        return text.toString();
    }

    static String hexByte(int value) {
        return String.format(Locale.ROOT, "%02X", value);
    }

    static InvalidImageException truncated(String detail) {
        return new InvalidImageException(Reason.TRUNCATED, detail);
    }

    static InvalidImageException malformed(String detail) {
        return new InvalidImageException(Reason.MALFORMED, detail);
    }

    static InvalidImageException unsupported(String detail) {
        return new InvalidImageException(Reason.UNSUPPORTED_PIXELS, detail);
    }
}
