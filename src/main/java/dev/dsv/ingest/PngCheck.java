package dev.dsv.ingest;

import static dev.dsv.ingest.ImageCheck.GRAYSCALE_ONLY;
import static dev.dsv.ingest.ImageCheck.PNG_SIGNATURE;
import static dev.dsv.ingest.ImageCheck.hex;
import static dev.dsv.ingest.ImageCheck.malformed;
import static dev.dsv.ingest.ImageCheck.truncated;
import static dev.dsv.ingest.ImageCheck.unsupported;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Checks a PNG file: the chunk headers from IHDR to IEND and the IHDR fields. Chunk CRCs and
 * IDAT contents are not read.
 */
final class PngCheck {

    private PngCheck() {
    }

    static ImageInfo check(PositionalReader source) throws IOException, InvalidImageException {
        long position = PNG_SIGNATURE.length;
        ImageInfo info = null;
        boolean sawIdat = false;

        while (true) {
            if (position == source.size) {
                throw truncated("IEND chunk missing after byte " + position);
            }
            ByteBuffer header = source.read(position, 8, ByteOrder.BIG_ENDIAN, "PNG chunk header");
            long length = Integer.toUnsignedLong(header.getInt(0));
            byte[] typeBytes = new byte[4];
            header.get(4, typeBytes);
            if (!isPngChunkType(typeBytes)) {
                throw malformed("invalid PNG chunk type " + hex(typeBytes, 4) + " at byte " + position);
            }
            String type = new String(typeBytes, StandardCharsets.US_ASCII);
            if (length > Integer.MAX_VALUE) {
                throw malformed(type + " chunk at byte " + position + " declares length " + length
                        + ", above the PNG maximum of 2^31-1");
            }
            // The 12 bytes are the length, type and CRC fields around the chunk data.
            long end = position + 12 + length;
            if (end > source.size) {
                throw truncated(type + " chunk at byte " + position + " declares " + length
                        + " data bytes and ends at byte " + end + ", past the end of the file at byte "
                        + source.size);
            }

            if (info == null) {
                if (!type.equals("IHDR")) {
                    throw malformed("first PNG chunk is " + type + ", expected IHDR");
                }
                if (length != 13) {
                    throw malformed("IHDR chunk has length " + length + ", expected 13");
                }
                info = readPngHeader(source, position + 8);
            } else if (type.equals("IHDR")) {
                throw malformed("second IHDR chunk at byte " + position);
            } else if (type.equals("IDAT")) {
                sawIdat = true;
            } else if (type.equals("IEND")) {
                if (!sawIdat) {
                    throw malformed("no IDAT chunk before the IEND chunk at byte " + position);
                }
                return info;
            }
            position = end;
        }
    }

    private static ImageInfo readPngHeader(PositionalReader source, long position)
            throws IOException, InvalidImageException {
        ByteBuffer data = source.read(position, 13, ByteOrder.BIG_ENDIAN, "IHDR chunk data");
        long width = Integer.toUnsignedLong(data.getInt(0));
        long height = Integer.toUnsignedLong(data.getInt(4));
        int bitDepth = data.get(8) & 0xFF;
        int colorType = data.get(9) & 0xFF;
        int compression = data.get(10) & 0xFF;
        int filter = data.get(11) & 0xFF;
        int interlace = data.get(12) & 0xFF;

        if (width == 0 || width > Integer.MAX_VALUE) {
            throw malformed("IHDR width is " + width + ", expected 1 to 2^31-1");
        }
        if (height == 0 || height > Integer.MAX_VALUE) {
            throw malformed("IHDR height is " + height + ", expected 1 to 2^31-1");
        }
        if (compression != 0 || filter != 0 || interlace > 1) {
            throw malformed("IHDR has compression method " + compression + ", filter method " + filter
                    + " and interlace method " + interlace + "; PNG defines 0, 0 and 0 or 1");
        }
        String pixels = describePngPixels(bitDepth, colorType);
        if (colorType != 0 || (bitDepth != 8 && bitDepth != 16)) {
            throw unsupported(pixels + "; " + GRAYSCALE_ONLY);
        }
        return new ImageInfo(ImageFormat.PNG, (int) width, (int) height, bitDepth);
    }

    /** Returns a phrase such as "16-bit RGB", or throws if the IHDR combination is invalid. */
    private static String describePngPixels(int bitDepth, int colorType) throws InvalidImageException {
        String colors;
        boolean validDepth;
        switch (colorType) {
            case 0 -> {
                colors = "grayscale";
                validDepth = bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8
                        || bitDepth == 16;
            }
            case 2 -> {
                colors = "RGB";
                validDepth = bitDepth == 8 || bitDepth == 16;
            }
            case 3 -> {
                colors = "palette (indexed color)";
                validDepth = bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            }
            case 4 -> {
                colors = "grayscale with alpha";
                validDepth = bitDepth == 8 || bitDepth == 16;
            }
            case 6 -> {
                colors = "RGBA";
                validDepth = bitDepth == 8 || bitDepth == 16;
            }
            default -> throw malformed("IHDR has unknown color type " + colorType);
        }
        if (!validDepth) {
            throw malformed("IHDR bit depth " + bitDepth + " is invalid for color type " + colorType);
        }
        return bitDepth + "-bit " + colors;
    }

    private static boolean isPngChunkType(byte[] type) {
        for (byte b : type) {
            boolean letter = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
            if (!letter) {
                return false;
            }
        }
        return true;
    }
}
