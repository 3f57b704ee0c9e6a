package dev.dsv.ingest;

import static dev.dsv.ingest.ImageCheck.malformed;
import static dev.dsv.ingest.ImageCheck.truncated;
import static dev.dsv.ingest.ImageCheck.unsupported;

import dev.dsv.ingest.InvalidImageException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Checks a BMP file: the file and info headers, the grayscale palette and that the pixel data
 * ends inside the file. RLE8 data is not decoded.
 */
final class BmpCheck {

    private BmpCheck() {
    }

    static ImageInfo check(PositionalReader source) throws IOException, InvalidImageException {
        ByteBuffer fileHeader = source.read(0, 18, ByteOrder.LITTLE_ENDIAN, "BMP file header");
        long declaredSize = Integer.toUnsignedLong(fileHeader.getInt(2));
        long pixelOffset = Integer.toUnsignedLong(fileHeader.getInt(10));
        long headerSize = Integer.toUnsignedLong(fileHeader.getInt(14));

        boolean core = headerSize == 12;
        boolean knownHeader = core || headerSize == 40 || headerSize == 52 || headerSize == 56
                || headerSize == 64 || headerSize == 108 || headerSize == 124;
        if (!knownHeader) {
            throw new InvalidImageException(Reason.NOT_AN_IMAGE, "starts with \"BM\", but bytes 14 to 17"
                    + " contain " + headerSize + ", which is not a BMP info header size");
        }
        // Some writers store 0 as the file size, so only a non-zero size field is compared.
        if (declaredSize != 0 && source.size < declaredSize) {
            throw truncated("BMP header declares " + declaredSize + " bytes, but the file ends at byte "
                    + source.size);
        }

        ByteBuffer info = source.read(14, core ? 12 : 40, ByteOrder.LITTLE_ENDIAN, "BMP info header");
        long width = core ? info.getShort(4) & 0xFFFF : info.getInt(4);
        long signedHeight = core ? info.getShort(6) & 0xFFFF : info.getInt(8);
        int planes = info.getShort(core ? 8 : 12) & 0xFFFF;
        int bitCount = info.getShort(core ? 10 : 14) & 0xFFFF;
        long compression = core ? 0 : Integer.toUnsignedLong(info.getInt(16));
        long imageSize = core ? 0 : Integer.toUnsignedLong(info.getInt(20));
        long colorsUsed = core ? 0 : Integer.toUnsignedLong(info.getInt(32));

        if (width <= 0) {
            throw malformed("BMP width is " + width + ", expected a positive value");
        }
        if (signedHeight == 0 || signedHeight == Integer.MIN_VALUE) {
            throw malformed("BMP height is " + signedHeight);
        }
        long height = Math.abs(signedHeight);
        if (planes != 1) {
            throw malformed("BMP plane count is " + planes + ", expected 1");
        }
        if (bitCount != 8) {
            throw unsupported(describeBmpPixels(bitCount, compression)
                    + "; dsv accepts 8-bit BMP with a grayscale palette");
        }
        if (compression != 0 && compression != 1) {
            throw malformed("8-bit BMP uses compression " + compression
                    + ", expected 0 (BI_RGB) or 1 (BI_RLE8)");
        }
        if (compression == 1 && signedHeight < 0) {
            throw malformed("BMP is top-down (negative height) with RLE8 compression, which BMP forbids");
        }

        long paletteEnd = checkBmpPalette(source, 14 + headerSize, core, colorsUsed);
        if (pixelOffset < paletteEnd) {
            throw malformed("BMP pixel data offset " + pixelOffset + " lies inside the headers or"
                    + " palette, which end at byte " + paletteEnd);
        }

        long pixelBytes;
        String layout;
        if (compression == 0) {
            // Each row is padded to a multiple of 4 bytes.
            long rowSize = (width * bitCount + 31) / 32 * 4;
            pixelBytes = rowSize * height;
            layout = height + " rows of " + rowSize + " bytes";
        } else {
            if (imageSize == 0) {
                throw malformed("RLE8 BMP has image size 0 in its info header");
            }
            pixelBytes = imageSize;
            layout = "RLE8 data of " + imageSize + " bytes";
        }
        long pixelEnd = pixelOffset + pixelBytes;
        if (pixelEnd > source.size) {
            throw truncated("BMP pixel data (" + layout + ") spans byte " + pixelOffset + " to byte "
                    + pixelEnd + ", past the end of the file at byte " + source.size);
        }
        return new ImageInfo(ImageFormat.BMP, (int) width, (int) height, 8);
    }

    /** Checks that every palette entry is gray and returns the byte position after the palette. */
    private static long checkBmpPalette(PositionalReader source, long position, boolean core, long colorsUsed)
            throws IOException, InvalidImageException {
        long colors = colorsUsed == 0 ? 256 : colorsUsed;
        if (colors > 256) {
            throw malformed("8-bit BMP declares " + colors + " palette colors, above the maximum 256");
        }
        // Core headers store each palette entry as the 3 bytes B, G, R, and info headers add a
        // reserved fourth byte.
        int entrySize = core ? 3 : 4;
        int paletteBytes = (int) colors * entrySize;
        ByteBuffer palette = source.read(position, paletteBytes, ByteOrder.LITTLE_ENDIAN, "BMP palette");
        for (int i = 0; i < colors; i++) {
            int blue = palette.get(i * entrySize) & 0xFF;
            int green = palette.get(i * entrySize + 1) & 0xFF;
            int red = palette.get(i * entrySize + 2) & 0xFF;
            if (red != green || green != blue) {
                throw unsupported("8-bit BMP with a color palette (entry " + i + " is red " + red
                        + ", green " + green + ", blue " + blue
                        + "); dsv accepts a palette with red = green = blue");
            }
        }
        return position + paletteBytes;
    }

    private static String describeBmpPixels(int bitCount, long compression) {
        if (bitCount == 0 && compression == 4) {
            return "BMP with embedded JPEG data";
        }
        if (bitCount == 0 && compression == 5) {
            return "BMP with embedded PNG data";
        }
        if (bitCount == 0) {
            return "BMP with bit count 0 and compression " + compression;
        }
        if (bitCount <= 4) {
            return bitCount + "-bit palette BMP";
        }
        return bitCount + "-bit color BMP";
    }
}
