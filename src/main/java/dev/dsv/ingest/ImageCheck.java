package dev.dsv.ingest;

import dev.dsv.ingest.InvalidImageException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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

    private static final String GRAYSCALE_ONLY = "dsv accepts 8- or 16-bit grayscale";

    private static final byte[] PNG_SIGNATURE = {
        (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'
    };
    private static final byte[] TIFF_LITTLE_ENDIAN = {'I', 'I', 42, 0};
    private static final byte[] TIFF_BIG_ENDIAN = {'M', 'M', 0, 42};
    private static final byte[] BIGTIFF_LITTLE_ENDIAN = {'I', 'I', 43, 0};
    private static final byte[] BIGTIFF_BIG_ENDIAN = {'M', 'M', 0, 43};

    /** Bytes read from the start of the file to detect the format. */
    private static final int HEAD_LENGTH = 16;

    /** Maximum number of zero bytes after the JPEG EOI marker that the check skips. */
    private static final int JPEG_MAX_ZERO_PADDING = 512;

    /** Maximum number of TIFF IFDs whose position is checked. */
    private static final int TIFF_MAX_IFDS = 1024;

    /** Bytes per block when reading TIFF strip and tile tables. */
    private static final int TIFF_TABLE_BLOCK = 4096;

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
        Source source = new Source(channel, channel.size());
        if (source.size == 0) {
            throw new InvalidImageException(Reason.NOT_AN_IMAGE, "file is empty");
        }
        byte[] head = source.readHead();

        if (startsWith(head, PNG_SIGNATURE)) {
            return checkPng(source);
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xD8) {
            return checkJpeg(source);
        }
        if (startsWith(head, TIFF_LITTLE_ENDIAN)) {
            return checkTiff(source, ByteOrder.LITTLE_ENDIAN);
        }
        if (startsWith(head, TIFF_BIG_ENDIAN)) {
            return checkTiff(source, ByteOrder.BIG_ENDIAN);
        }
        if (startsWith(head, BIGTIFF_LITTLE_ENDIAN) || startsWith(head, BIGTIFF_BIG_ENDIAN)) {
            throw unsupported("BigTIFF (version 43) is not supported; save the image as classic TIFF");
        }
        if (head.length >= 2 && head[0] == 'B' && head[1] == 'M') {
            return checkBmp(source);
        }
        if (isCutSignature(head, PNG_SIGNATURE, 4)
                || isCutSignature(head, TIFF_LITTLE_ENDIAN, 3)
                || isCutSignature(head, TIFF_BIG_ENDIAN, 3)) {
            throw truncated("file ends at byte " + head.length + " inside the image signature");
        }
        throw new InvalidImageException(Reason.NOT_AN_IMAGE, describeHead(head));
    }

    // ---------------------------------------------------------------- PNG

    private static ImageInfo checkPng(Source source) throws IOException, InvalidImageException {
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

    private static ImageInfo readPngHeader(Source source, long position)
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

    // ---------------------------------------------------------------- JPEG

    private static ImageInfo checkJpeg(Source source) throws IOException, InvalidImageException {
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

    private static ImageInfo readJpegFrame(Source source, long position, int code, int length)
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
    private static void checkJpegEnd(Source source, long scanStart)
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

    // ---------------------------------------------------------------- TIFF

    private static final int TAG_IMAGE_WIDTH = 256;
    private static final int TAG_IMAGE_LENGTH = 257;
    private static final int TAG_BITS_PER_SAMPLE = 258;
    private static final int TAG_PHOTOMETRIC = 262;
    private static final int TAG_STRIP_OFFSETS = 273;
    private static final int TAG_SAMPLES_PER_PIXEL = 277;
    private static final int TAG_ROWS_PER_STRIP = 278;
    private static final int TAG_STRIP_BYTE_COUNTS = 279;
    private static final int TAG_TILE_WIDTH = 322;
    private static final int TAG_TILE_LENGTH = 323;
    private static final int TAG_TILE_OFFSETS = 324;
    private static final int TAG_TILE_BYTE_COUNTS = 325;
    private static final int TAG_SAMPLE_FORMAT = 339;

    private static final int TYPE_BYTE = 1;
    private static final int TYPE_SHORT = 3;
    private static final int TYPE_LONG = 4;

    /** One 12-byte IFD entry; {@code field} is its 4-byte value or offset field. */
    private record TiffEntry(int tag, int type, long count, ByteBuffer field) {
    }

    private record TiffIfd(long offset, List<TiffEntry> entries, long nextOffset) {

        TiffEntry find(int tag) {
            for (TiffEntry entry : entries) {
                if (entry.tag == tag) {
                    return entry;
                }
            }
            return null;
        }
    }

    private static ImageInfo checkTiff(Source source, ByteOrder order)
            throws IOException, InvalidImageException {
        ByteBuffer header = source.read(0, 8, order, "TIFF header");
        long firstOffset = Integer.toUnsignedLong(header.getInt(4));
        if (firstOffset < 8) {
            throw malformed("TIFF header points to the first IFD at byte " + firstOffset
                    + ", inside the 8-byte header");
        }
        TiffIfd first = readTiffIfd(source, order, firstOffset);
        ImageInfo info = checkTiffImage(source, order, first);
        checkTiffIfdChain(source, order, firstOffset, first.nextOffset);
        return info;
    }

    /** Reads the IFD at {@code offset} and checks that every out-of-line value lies in the file. */
    private static TiffIfd readTiffIfd(Source source, ByteOrder order, long offset)
            throws IOException, InvalidImageException {
        int entryCount = source.read(offset, 2, order, "TIFF IFD entry count").getShort(0) & 0xFFFF;
        if (entryCount == 0) {
            throw malformed("TIFF IFD at byte " + offset + " has no entries");
        }
        ByteBuffer table = source.read(offset + 2, entryCount * 12 + 4, order, "TIFF IFD");

        List<TiffEntry> entries = new ArrayList<>(entryCount);
        for (int i = 0; i < entryCount; i++) {
            int base = i * 12;
            int tag = table.getShort(base) & 0xFFFF;
            int type = table.getShort(base + 2) & 0xFFFF;
            long count = Integer.toUnsignedLong(table.getInt(base + 4));
            ByteBuffer field = table.slice(base + 8, 4).order(order);
            TiffEntry entry = new TiffEntry(tag, type, count, field);
            entries.add(entry);

            long byteLength = count * tiffTypeSize(type);
            if (byteLength > 4) {
                long valueOffset = Integer.toUnsignedLong(field.getInt(0));
                long valueEnd = valueOffset + byteLength;
                if (valueEnd > source.size) {
                    throw truncated("TIFF tag " + tag + " in the IFD at byte " + offset
                            + " has values from byte " + valueOffset + " to byte " + valueEnd
                            + ", past the end of the file at byte " + source.size);
                }
            }
        }
        long nextOffset = Integer.toUnsignedLong(table.getInt(entryCount * 12));
        return new TiffIfd(offset, entries, nextOffset);
    }

    /** Returns the byte size of one value of a TIFF 6.0 field type, or 0 for an unknown type. */
    private static int tiffTypeSize(int type) {
        return switch (type) {
            case 1, 2, 6, 7 -> 1;
            case 3, 8 -> 2;
            case 4, 9, 11, 13 -> 4;
            case 5, 10, 12 -> 8;
            default -> 0;
        };
    }

    private static ImageInfo checkTiffImage(Source source, ByteOrder order, TiffIfd ifd)
            throws IOException, InvalidImageException {
        long width = requiredTiffValue(source, order, ifd, TAG_IMAGE_WIDTH, "ImageWidth");
        long height = requiredTiffValue(source, order, ifd, TAG_IMAGE_LENGTH, "ImageLength");
        if (width == 0 || width > Integer.MAX_VALUE) {
            throw malformed("TIFF ImageWidth is " + width + ", expected 1 to 2^31-1");
        }
        if (height == 0 || height > Integer.MAX_VALUE) {
            throw malformed("TIFF ImageLength is " + height + ", expected 1 to 2^31-1");
        }

        long samplesPerPixel = optionalTiffValue(source, order, ifd, TAG_SAMPLES_PER_PIXEL, 1);
        long bitsPerSample = optionalTiffValue(source, order, ifd, TAG_BITS_PER_SAMPLE, 1);
        long sampleFormat = optionalTiffValue(source, order, ifd, TAG_SAMPLE_FORMAT, 1);
        long photometric = requiredTiffValue(source, order, ifd, TAG_PHOTOMETRIC,
                "PhotometricInterpretation");

        boolean gray = samplesPerPixel == 1 && (photometric == 0 || photometric == 1);
        if (!gray) {
            throw unsupported(bitsPerSample + "-bit TIFF with photometric interpretation " + photometric
                    + " (" + describePhotometric(photometric) + ") and SamplesPerPixel " + samplesPerPixel
                    + "; " + GRAYSCALE_ONLY + " (SamplesPerPixel 1, photometric 0 or 1)");
        }
        if (bitsPerSample != 8 && bitsPerSample != 16) {
            throw unsupported(bitsPerSample + "-bit grayscale TIFF; " + GRAYSCALE_ONLY);
        }
        if (sampleFormat != 1) {
            throw unsupported("TIFF grayscale with SampleFormat " + sampleFormat
                    + "; dsv accepts unsigned integer samples (SampleFormat 1)");
        }

        checkTiffPixelData(source, order, ifd, width, height);
        return new ImageInfo(ImageFormat.TIFF, (int) width, (int) height, (int) bitsPerSample);
    }

    private static String describePhotometric(long photometric) {
        return switch ((int) Math.min(photometric, Integer.MAX_VALUE)) {
            case 0 -> "WhiteIsZero";
            case 1 -> "BlackIsZero";
            case 2 -> "RGB";
            case 3 -> "palette";
            case 4 -> "transparency mask";
            case 5 -> "CMYK";
            case 6 -> "YCbCr";
            case 8 -> "CIELab";
            default -> "not grayscale";
        };
    }

    /** Checks that the strip or tile table covers the image and that every block ends in the file. */
    private static void checkTiffPixelData(Source source, ByteOrder order, TiffIfd ifd, long width,
            long height) throws IOException, InvalidImageException {
        TiffEntry tileOffsets = ifd.find(TAG_TILE_OFFSETS);
        TiffEntry tileByteCounts = ifd.find(TAG_TILE_BYTE_COUNTS);
        TiffEntry stripOffsets = ifd.find(TAG_STRIP_OFFSETS);
        TiffEntry stripByteCounts = ifd.find(TAG_STRIP_BYTE_COUNTS);

        if (tileOffsets != null || tileByteCounts != null) {
            if (tileOffsets == null || tileByteCounts == null) {
                throw malformed("TIFF has only one of TileOffsets (324) and TileByteCounts (325)");
            }
            long tileWidth = requiredTiffValue(source, order, ifd, TAG_TILE_WIDTH, "TileWidth");
            long tileLength = requiredTiffValue(source, order, ifd, TAG_TILE_LENGTH, "TileLength");
            if (tileWidth == 0 || tileLength == 0) {
                throw malformed("TIFF TileWidth " + tileWidth + " or TileLength " + tileLength + " is 0");
            }
            long expected = ceilDiv(width, tileWidth) * ceilDiv(height, tileLength);
            checkTiffBlocks(source, order, ifd, "tile", tileOffsets, tileByteCounts, expected);
            return;
        }

        if (stripOffsets == null || stripByteCounts == null) {
            throw malformed("TIFF has no StripOffsets (273) with StripByteCounts (279) and no"
                    + " TileOffsets (324) with TileByteCounts (325)");
        }
        long rowsPerStrip = optionalTiffValue(source, order, ifd, TAG_ROWS_PER_STRIP, 0xFFFFFFFFL);
        if (rowsPerStrip == 0) {
            throw malformed("TIFF RowsPerStrip is 0");
        }
        long expected = ceilDiv(height, Math.min(rowsPerStrip, height));
        checkTiffBlocks(source, order, ifd, "strip", stripOffsets, stripByteCounts, expected);
    }

    /**
     * Checks that each strip or tile of {@code ifd} ends inside the file and that there are at
     * least {@code expected} of them.
     */
    private static void checkTiffBlocks(Source source, ByteOrder order, TiffIfd ifd, String kind,
            TiffEntry offsets, TiffEntry byteCounts, long expected)
            throws IOException, InvalidImageException {
        String where = " in the IFD at byte " + ifd.offset;
        if (offsets.count != byteCounts.count) {
            throw malformed("TIFF has " + offsets.count + " " + kind + " offsets but "
                    + byteCounts.count + " " + kind + " byte counts" + where);
        }
        if (offsets.count < expected) {
            throw malformed("TIFF has " + offsets.count + " " + kind + "s" + where
                    + ", but the image size needs " + expected);
        }
        TiffValues offsetValues = new TiffValues(source, order, offsets);
        TiffValues countValues = new TiffValues(source, order, byteCounts);
        for (long i = 0; i < offsets.count; i++) {
            long start = offsetValues.next();
            long end = start + countValues.next();
            if (end > source.size) {
                throw truncated("TIFF " + kind + " " + i + " of " + offsets.count + where
                        + " spans byte " + start + " to byte " + end
                        + ", past the end of the file at byte " + source.size);
            }
        }
    }

    /**
     * Walks the IFDs after the first one, checking that each IFD, its out-of-line values and its
     * strips or tiles lie in the file. Their pixel type is not checked, because later IFDs may be
     * thumbnails or other pages that dsv does not read.
     */
    private static void checkTiffIfdChain(Source source, ByteOrder order, long firstOffset,
            long nextOffset) throws IOException, InvalidImageException {
        Set<Long> visited = new HashSet<>();
        visited.add(firstOffset);
        long offset = nextOffset;
        // NOTE: IFDs after the first TIFF_MAX_IFDS are not checked, so a damaged tail of a long
        // multi-page file can pass.
        for (int checked = 1; offset != 0 && checked < TIFF_MAX_IFDS; checked++) {
            if (offset < 8) {
                throw malformed("TIFF IFD offset " + offset + " points inside the 8-byte header");
            }
            if (!visited.add(offset)) {
                throw malformed("TIFF IFD chain loops back to the IFD at byte " + offset);
            }
            TiffIfd ifd = readTiffIfd(source, order, offset);
            checkTiffBlockRanges(source, order, ifd);
            offset = ifd.nextOffset;
        }
    }

    private static void checkTiffBlockRanges(Source source, ByteOrder order, TiffIfd ifd)
            throws IOException, InvalidImageException {
        TiffEntry tileOffsets = ifd.find(TAG_TILE_OFFSETS);
        TiffEntry tileByteCounts = ifd.find(TAG_TILE_BYTE_COUNTS);
        if (tileOffsets != null && tileByteCounts != null) {
            checkTiffBlocks(source, order, ifd, "tile", tileOffsets, tileByteCounts, 0);
        }
        TiffEntry stripOffsets = ifd.find(TAG_STRIP_OFFSETS);
        TiffEntry stripByteCounts = ifd.find(TAG_STRIP_BYTE_COUNTS);
        if (stripOffsets != null && stripByteCounts != null) {
            checkTiffBlocks(source, order, ifd, "strip", stripOffsets, stripByteCounts, 0);
        }
    }

    private static long requiredTiffValue(Source source, ByteOrder order, TiffIfd ifd, int tag,
            String name) throws IOException, InvalidImageException {
        TiffEntry entry = ifd.find(tag);
        if (entry == null) {
            throw malformed("TIFF tag " + tag + " (" + name + ") missing");
        }
        return firstTiffValue(source, order, entry);
    }

    private static long optionalTiffValue(Source source, ByteOrder order, TiffIfd ifd, int tag,
            long defaultValue) throws IOException, InvalidImageException {
        TiffEntry entry = ifd.find(tag);
        return entry == null ? defaultValue : firstTiffValue(source, order, entry);
    }

    private static long firstTiffValue(Source source, ByteOrder order, TiffEntry entry)
            throws IOException, InvalidImageException {
        if (entry.count == 0) {
            throw malformed("TIFF tag " + entry.tag + " has no values");
        }
        return new TiffValues(source, order, entry).next();
    }

    /** Sequential reader of the unsigned BYTE, SHORT or LONG values of one TIFF entry. */
    private static final class TiffValues {
        private final Source source;
        private final ByteOrder order;
        private final int valueSize;
        private final long start;
        private final long byteLength;
        private ByteBuffer block;
        private long read;

        TiffValues(Source source, ByteOrder order, TiffEntry entry) throws InvalidImageException {
            if (entry.type != TYPE_BYTE && entry.type != TYPE_SHORT && entry.type != TYPE_LONG) {
                throw malformed("TIFF tag " + entry.tag + " has field type " + entry.type
                        + ", expected BYTE (1), SHORT (3) or LONG (4)");
            }
            this.source = source;
            this.order = order;
            this.valueSize = tiffTypeSize(entry.type);
            this.byteLength = entry.count * valueSize;
            if (byteLength <= 4) {
                this.start = -1;
                this.block = entry.field.duplicate().order(order);
                this.block.limit((int) byteLength);
            } else {
                this.start = Integer.toUnsignedLong(entry.field.getInt(0));
                this.block = ByteBuffer.allocate(0);
            }
        }

        long next() throws IOException, InvalidImageException {
            if (!block.hasRemaining()) {
                int length = (int) Math.min(TIFF_TABLE_BLOCK, byteLength - read);
                block = source.read(start + read, length, order, "TIFF value table");
            }
            read += valueSize;
            return switch (valueSize) {
                case 1 -> block.get() & 0xFF;
                case 2 -> block.getShort() & 0xFFFF;
                default -> Integer.toUnsignedLong(block.getInt());
            };
        }
    }

    // ---------------------------------------------------------------- BMP

    private static ImageInfo checkBmp(Source source) throws IOException, InvalidImageException {
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
    private static long checkBmpPalette(Source source, long position, boolean core, long colorsUsed)
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

    // ---------------------------------------------------------------- shared helpers

    /** Positional reader over a channel whose size is fixed at the start of the check. */
    private static final class Source {
        private final FileChannel channel;
        private final long size;

        Source(FileChannel channel, long size) {
            this.channel = channel;
            this.size = size;
        }

        byte[] readHead() throws IOException, InvalidImageException {
            int length = (int) Math.min(HEAD_LENGTH, size);
            byte[] head = new byte[length];
            read(0, length, ByteOrder.BIG_ENDIAN, "file start").get(head);
            return head;
        }

        /**
         * Reads exactly {@code length} bytes at {@code position}. The {@code structure} name, such
         * as "PNG chunk header", starts the detail of the TRUNCATED error.
         */
        ByteBuffer read(long position, int length, ByteOrder order, String structure)
                throws IOException, InvalidImageException {
            long end = position + length;
            if (end > size) {
                throw truncated(structure + " at byte " + position + " needs " + length
                        + " bytes, but the file ends at byte " + size);
            }
            ByteBuffer buffer = ByteBuffer.allocate(length).order(order);
            while (buffer.hasRemaining()) {
                int count = channel.read(buffer, position + buffer.position());
                if (count < 0) {
                    throw truncated(structure + " at byte " + position + " needs " + length
                            + " bytes, but the file shrank to " + (position + buffer.position())
                            + " bytes during the check");
                }
            }
            buffer.flip();
            return buffer;
        }
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

    private static String hex(byte[] bytes, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, maxLength); i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(hexByte(bytes[i] & 0xFF));
        }
        return text.toString();
    }

    private static String hexByte(int value) {
        return String.format(Locale.ROOT, "%02X", value);
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }

    private static InvalidImageException truncated(String detail) {
        return new InvalidImageException(Reason.TRUNCATED, detail);
    }

    private static InvalidImageException malformed(String detail) {
        return new InvalidImageException(Reason.MALFORMED, detail);
    }

    private static InvalidImageException unsupported(String detail) {
        return new InvalidImageException(Reason.UNSUPPORTED_PIXELS, detail);
    }
}
