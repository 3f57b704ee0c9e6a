package dev.dsv.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dsv.ingest.InvalidImageException.Reason;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageCheckTest {

    /** Electroluminescence solar cell images, 300 x 300 8-bit grayscale PNG. */
    private static final Path ELPV_IMAGES = Path.of("/work/shared/data/elpv/images");

    private static final int WIDTH = 37;
    private static final int HEIGHT = 23;

    @TempDir
    Path tempDir;

    // ---------------------------------------------------------------- PNG

    @Test
    void pngGray8Accepted() throws Exception {
        ImageInfo info = check(encode(gray8(), "png"));

        assertEquals(new ImageInfo(ImageFormat.PNG, WIDTH, HEIGHT, 8), info);
    }

    @Test
    void pngGray16Accepted() throws Exception {
        ImageInfo info = check(encode(gray16(), "png"));

        assertEquals(new ImageInfo(ImageFormat.PNG, WIDTH, HEIGHT, 16), info);
    }

    @Test
    void pngTrailingBytesAccepted() throws Exception {
        byte[] png = encode(gray8(), "png");
        byte[] padded = concat(png, "trailing text".getBytes(StandardCharsets.US_ASCII));

        assertEquals(new ImageInfo(ImageFormat.PNG, WIDTH, HEIGHT, 8), check(padded));
    }

    @Test
    void pngTruncatedAtCutPoints() throws Exception {
        for (BufferedImage image : List.of(gray8(), gray16())) {
            byte[] png = encode(image, "png");
            // 33 is the end of the IHDR chunk: 8 signature bytes, then 12 framing and 13 data bytes.
            int[] cuts = {33, png.length / 2, png.length - 12, png.length - 1};

            assertTruncatedAt(png, cuts);
        }
    }

    @Test
    void pngTruncatedBeforeIend() throws Exception {
        byte[] png = encode(gray8(), "png");
        int iendStart = png.length - 12;

        InvalidImageException error = rejection(Arrays.copyOf(png, iendStart));

        assertEquals(Reason.TRUNCATED, error.reason());
        assertEquals("IEND chunk missing after byte " + iendStart, error.detail());
        assertEquals(error.detail(), error.getMessage());
    }

    @Test
    void pngCutInsideSignatureTruncated() throws Exception {
        byte[] png = encode(gray8(), "png");

        InvalidImageException error = rejection(Arrays.copyOf(png, 5));

        assertEquals(Reason.TRUNCATED, error.reason());
    }

    @Test
    void pngIhdrNotFirstMalformed() throws Exception {
        byte[] png = encode(gray8(), "png");
        byte[] emptyText = {0, 0, 0, 0, 't', 'E', 'X', 't', 0, 0, 0, 0};
        byte[] reordered = concat(Arrays.copyOf(png, 8), emptyText, Arrays.copyOfRange(png, 8, png.length));

        InvalidImageException error = rejection(reordered);

        assertEquals(Reason.MALFORMED, error.reason());
        assertTrue(error.detail().contains("IHDR"), error.detail());
    }

    @Test
    void pngZeroWidthMalformed() throws Exception {
        byte[] png = encode(gray8(), "png");
        // IHDR data starts at byte 16 with the 4-byte width.
        ByteBuffer.wrap(png).putInt(16, 0);

        InvalidImageException error = rejection(png);

        assertEquals(Reason.MALFORMED, error.reason());
        assertTrue(error.detail().contains("width"), error.detail());
    }

    @Test
    void pngChunkLengthPastEndTruncated() throws Exception {
        byte[] png = encode(gray8(), "png");
        // The first chunk after IHDR starts at byte 33.
        ByteBuffer.wrap(png).putInt(33, 1_000_000);

        InvalidImageException error = rejection(png);

        assertEquals(Reason.TRUNCATED, error.reason());
        assertTrue(error.detail().contains("at byte 33"), error.detail());
    }

    @Test
    void pngInvalidChunkTypeMalformed() throws Exception {
        byte[] png = encode(gray8(), "png");
        // The type of the first chunk after IHDR sits at bytes 37 to 40.
        png[38] = '@';

        InvalidImageException error = rejection(png);

        assertEquals(Reason.MALFORMED, error.reason());
        assertTrue(error.detail().contains("at byte 33"), error.detail());
    }

    @Test
    void pngRgbUnsupported() throws Exception {
        InvalidImageException error = rejection(encode(rgb(), "png"));

        assertEquals(Reason.UNSUPPORTED_PIXELS, error.reason());
        assertEquals("8-bit RGB; dsv accepts 8- or 16-bit grayscale", error.detail());
    }

    @Test
    void pngPaletteUnsupported() throws Exception {
        InvalidImageException error = rejection(encode(indexed(), "png"));

        assertEquals(Reason.UNSUPPORTED_PIXELS, error.reason());
        assertTrue(error.detail().contains("palette"), error.detail());
    }

    @Test
    void elpvCellAccepted() throws Exception {
        Path cell = ELPV_IMAGES.resolve("cell0001.png");
        assumeTrue(Files.isRegularFile(cell), "ELPV images not present at " + ELPV_IMAGES);

        assertEquals(new ImageInfo(ImageFormat.PNG, 300, 300, 8), check(cell));
    }

    @Test
    void elpvFirst200Accepted() throws Exception {
        assumeTrue(Files.isDirectory(ELPV_IMAGES), "ELPV images not present at " + ELPV_IMAGES);
        List<Path> cells;
        try (Stream<Path> files = Files.list(ELPV_IMAGES)) {
            cells = files.filter(p -> p.toString().endsWith(".png")).sorted().limit(200).toList();
        }
        assertEquals(200, cells.size());

        for (Path cell : cells) {
            ImageInfo info = check(cell);

            assertEquals(ImageFormat.PNG, info.format(), cell.toString());
            assertEquals(8, info.bitDepth(), cell.toString());
        }
    }

    @Test
    void elpvCellCutTruncated() throws Exception {
        Path cell = ELPV_IMAGES.resolve("cell0001.png");
        assumeTrue(Files.isRegularFile(cell), "ELPV images not present at " + ELPV_IMAGES);
        byte[] png = Files.readAllBytes(cell);

        assertTruncatedAt(png, new int[] {png.length / 2, png.length - 1});
    }

    // ---------------------------------------------------------------- JPEG

    @Test
    void jpegGray8Accepted() throws Exception {
        ImageInfo info = check(encode(gray8(), "jpeg"));

        assertEquals(new ImageInfo(ImageFormat.JPEG, WIDTH, HEIGHT, 8), info);
    }

    @Test
    void jpegProgressiveAccepted() throws Exception {
        byte[] jpeg = encodeWithParam(gray8(), "jpeg", param -> param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT));

        assertEquals(new ImageInfo(ImageFormat.JPEG, WIDTH, HEIGHT, 8), check(jpeg));
    }

    @Test
    void jpegZeroPaddingAccepted() throws Exception {
        byte[] padded = concat(encode(gray8(), "jpeg"), new byte[100]);

        assertEquals(new ImageInfo(ImageFormat.JPEG, WIDTH, HEIGHT, 8), check(padded));
    }

    @Test
    void jpegTextAfterEoiTruncated() throws Exception {
        byte[] jpeg = concat(encode(gray8(), "jpeg"), "abc".getBytes(StandardCharsets.US_ASCII));

        InvalidImageException error = rejection(jpeg);

        assertEquals(Reason.TRUNCATED, error.reason());
        assertTrue(error.detail().contains("EOI"), error.detail());
    }

    @Test
    void jpeg12BitAccepted() throws Exception {
        byte[] jpeg = minimalJpeg(0xC1, 12, 1, true);

        assertEquals(new ImageInfo(ImageFormat.JPEG, 5, 4, 16), check(jpeg));
    }

    @Test
    void jpegLossless16BitAccepted() throws Exception {
        byte[] jpeg = minimalJpeg(0xC3, 16, 1, true);

        assertEquals(new ImageInfo(ImageFormat.JPEG, 5, 4, 16), check(jpeg));
    }

    @Test
    void jpegBaseline12BitMalformed() throws Exception {
        InvalidImageException error = rejection(minimalJpeg(0xC0, 12, 1, true));

        assertEquals(Reason.MALFORMED, error.reason());
    }

    @Test
    void jpegNoSofBeforeSosMalformed() throws Exception {
        InvalidImageException error = rejection(minimalJpeg(0xC0, 8, 1, false));

        assertEquals(Reason.MALFORMED, error.reason());
        assertTrue(error.detail().contains("SOS"), error.detail());
    }

    @Test
    void jpegTruncatedAtCutPoints() throws Exception {
        byte[] jpeg = encode(gray8(), "jpeg");
        // 20 is the end of the JFIF APP0 segment that the ImageIO writer puts after SOI.
        int[] cuts = {2, 20, jpeg.length / 2, jpeg.length - 2, jpeg.length - 1};

        assertTruncatedAt(jpeg, cuts);
    }

    @Test
    void jpegRgbUnsupported() throws Exception {
        InvalidImageException error = rejection(encode(rgb(), "jpeg"));

        assertEquals(Reason.UNSUPPORTED_PIXELS, error.reason());
        assertTrue(error.detail().contains("3 components"), error.detail());
    }

    // ---------------------------------------------------------------- TIFF

    @Test
    void tiffGray8Accepted() throws Exception {
        ImageInfo info = check(encode(gray8(), "tiff"));

        assertEquals(new ImageInfo(ImageFormat.TIFF, WIDTH, HEIGHT, 8), info);
    }

    @Test
    void tiffGray16Accepted() throws Exception {
        ImageInfo info = check(encode(gray16(), "tiff"));

        assertEquals(new ImageInfo(ImageFormat.TIFF, WIDTH, HEIGHT, 16), info);
    }

    @Test
    void tiffTiledAccepted() throws Exception {
        byte[] tiff = encodeWithParam(gray16(), "tiff", param -> {
            param.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
            param.setTiling(16, 16, 0, 0);
        });

        assertEquals(new ImageInfo(ImageFormat.TIFF, WIDTH, HEIGHT, 16), check(tiff));
    }

    @Test
    void tiffDeflateAccepted() throws Exception {
        byte[] tiff = encodeWithParam(gray8(), "tiff", param -> {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionType("Deflate");
        });

        assertEquals(new ImageInfo(ImageFormat.TIFF, WIDTH, HEIGHT, 8), check(tiff));
    }

    @Test
    void tiffMultiPageAccepted() throws Exception {
        byte[] tiff = encodeSequence(List.of(gray8(), gray8(), gray8()), "tiff");

        assertEquals(new ImageInfo(ImageFormat.TIFF, WIDTH, HEIGHT, 8), check(tiff));
    }

    @Test
    void tiffMultiPageLastPageTruncated() throws Exception {
        byte[] tiff = encodeSequence(List.of(gray8(), gray8(), gray8()), "tiff");

        InvalidImageException error = rejection(Arrays.copyOf(tiff, tiff.length - 1));

        assertEquals(Reason.TRUNCATED, error.reason());
        assertTrue(error.detail().contains("strip"), error.detail());
    }

    @Test
    void tiffLittleEndianShortOffsetsAccepted() throws Exception {
        byte[] tiff = new TiffBuilder(ByteOrder.LITTLE_ENDIAN).build();

        assertEquals(new ImageInfo(ImageFormat.TIFF, 5, 4, 8), check(tiff));
    }

    @Test
    void tiffBigEndianLongOffsetsAccepted() throws Exception {
        TiffBuilder builder = new TiffBuilder(ByteOrder.BIG_ENDIAN);
        builder.offsetType = 4;

        assertEquals(new ImageInfo(ImageFormat.TIFF, 5, 4, 8), check(builder.build()));
    }

    @Test
    void tiffSingleStripInlineAccepted() throws Exception {
        TiffBuilder builder = new TiffBuilder(ByteOrder.LITTLE_ENDIAN);
        builder.rowsPerStrip = 4;

        assertEquals(new ImageInfo(ImageFormat.TIFF, 5, 4, 8), check(builder.build()));
    }

    @Test
    void tiffStripPastEndTruncated() throws Exception {
        TiffBuilder builder = new TiffBuilder(ByteOrder.LITTLE_ENDIAN);
        builder.lastStripExtraBytes = 1;

        InvalidImageException error = rejection(builder.build());

        assertEquals(Reason.TRUNCATED, error.reason());
        assertTrue(error.detail().contains("strip 3 of 4"), error.detail());
    }

    @Test
    void tiffMissingStripsMalformed() throws Exception {
        TiffBuilder builder = new TiffBuilder(ByteOrder.LITTLE_ENDIAN);
        builder.withStrips = false;

        InvalidImageException error = rejection(builder.build());

        assertEquals(Reason.MALFORMED, error.reason());
    }

    @Test
    void tiffMissingPhotometricMalformed() throws Exception {
        TiffBuilder builder = new TiffBuilder(ByteOrder.LITTLE_ENDIAN);
        builder.photometric = -1;

        InvalidImageException error = rejection(builder.build());

        assertEquals(Reason.MALFORMED, error.reason());
        assertTrue(error.detail().contains("262"), error.detail());
    }

    @Test
    void tiffIfdLoopMalformed() throws Exception {
        TiffBuilder builder = new TiffBuilder(ByteOrder.LITTLE_ENDIAN);
        builder.nextIfd = 8;

        InvalidImageException error = rejection(builder.build());

        assertEquals(Reason.MALFORMED, error.reason());
        assertTrue(error.detail().contains("loops"), error.detail());
    }

    @Test
    void tiffNextIfdPastEndTruncated() throws Exception {
        TiffBuilder builder = new TiffBuilder(ByteOrder.LITTLE_ENDIAN);
        builder.nextIfd = 1_000_000;

        InvalidImageException error = rejection(builder.build());

        assertEquals(Reason.TRUNCATED, error.reason());
        assertTrue(error.detail().contains("1000000"), error.detail());
    }

    @Test
    void tiffTruncatedAtCutPoints() throws Exception {
        for (BufferedImage image : List.of(gray8(), gray16())) {
            byte[] tiff = encode(image, "tiff");
            int[] cuts = {8, 12, tiff.length / 2, tiff.length - 1};

            assertTruncatedAt(tiff, cuts);
        }
        byte[] handMade = new TiffBuilder(ByteOrder.LITTLE_ENDIAN).build();

        assertTruncatedAt(handMade, new int[] {8, 20, handMade.length / 2, handMade.length - 1});
    }

    @Test
    void tiffRgbUnsupported() throws Exception {
        InvalidImageException error = rejection(encode(rgb(), "tiff"));

        assertEquals(Reason.UNSUPPORTED_PIXELS, error.reason());
        assertTrue(error.detail().contains("RGB"), error.detail());
    }

    @Test
    void tiffWhiteIsZeroAccepted() throws Exception {
        TiffBuilder builder = new TiffBuilder(ByteOrder.LITTLE_ENDIAN);
        builder.photometric = 0;

        assertEquals(new ImageInfo(ImageFormat.TIFF, 5, 4, 8), check(builder.build()));
    }

    @Test
    void bigTiffUnsupported() throws Exception {
        byte[] bigTiff = {'I', 'I', 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0};

        InvalidImageException error = rejection(bigTiff);

        assertEquals(Reason.UNSUPPORTED_PIXELS, error.reason());
        assertTrue(error.detail().contains("BigTIFF"), error.detail());
    }

    // ---------------------------------------------------------------- BMP

    @Test
    void bmpGray8Accepted() throws Exception {
        ImageInfo info = check(encode(gray8(), "bmp"));

        assertEquals(new ImageInfo(ImageFormat.BMP, WIDTH, HEIGHT, 8), info);
    }

    @Test
    void bmpTopDownAccepted() throws Exception {
        byte[] bmp = encode(gray8(), "bmp");
        ByteBuffer header = ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN);
        // The info header stores the height at byte 22, and a negative height means rows run
        // top to bottom.
        header.putInt(22, -header.getInt(22));

        assertEquals(new ImageInfo(ImageFormat.BMP, WIDTH, HEIGHT, 8), check(bmp));
    }

    @Test
    void bmpTruncatedAtCutPoints() throws Exception {
        byte[] bmp = encode(gray8(), "bmp");
        // 54 is the end of the 14-byte file header and the 40-byte info header.
        int[] cuts = {14, 54, bmp.length / 2, bmp.length - 1};

        assertTruncatedAt(bmp, cuts);
    }

    @Test
    void bmpTruncatedWithZeroSizeField() throws Exception {
        byte[] bmp = encode(gray8(), "bmp");
        ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(2, 0);
        assertEquals(new ImageInfo(ImageFormat.BMP, WIDTH, HEIGHT, 8), check(bmp));

        InvalidImageException error = rejection(Arrays.copyOf(bmp, bmp.length - 1));

        assertEquals(Reason.TRUNCATED, error.reason());
        assertTrue(error.detail().contains("pixel data"), error.detail());
    }

    @Test
    void bmpSizeFieldAboveFileTruncated() throws Exception {
        byte[] bmp = encode(gray8(), "bmp");
        ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(2, bmp.length + 10);

        InvalidImageException error = rejection(bmp);

        assertEquals(Reason.TRUNCATED, error.reason());
        assertTrue(error.detail().contains("declares " + (bmp.length + 10)), error.detail());
    }

    @Test
    void bmpRgbUnsupported() throws Exception {
        InvalidImageException error = rejection(encode(rgb(), "bmp"));

        assertEquals(Reason.UNSUPPORTED_PIXELS, error.reason());
        assertTrue(error.detail().contains("24-bit"), error.detail());
    }

    @Test
    void bmpColorPaletteUnsupported() throws Exception {
        InvalidImageException error = rejection(encode(indexed(), "bmp"));

        assertEquals(Reason.UNSUPPORTED_PIXELS, error.reason());
        assertTrue(error.detail().contains("color palette"), error.detail());
    }

    @Test
    void bmpLikeCsvNotAnImage() throws Exception {
        byte[] csv = "BMI,weight,height\n22.5,70,1.76\n".getBytes(StandardCharsets.US_ASCII);

        InvalidImageException error = rejection(csv);

        assertEquals(Reason.NOT_AN_IMAGE, error.reason());
    }

    // ---------------------------------------------------------------- all formats

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "tiff", "bmp"})
    void everyPrefixRejected(String format) throws Exception {
        byte[] image = encode(gray8(), format);
        Path file = write(image);

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertEquals(8, ImageCheck.check(channel).bitDepth());

            for (int length = image.length - 1; length >= 1; length--) {
                channel.truncate(length);
                int cut = length;

                InvalidImageException error = assertThrows(InvalidImageException.class,
                        () -> ImageCheck.check(channel), format + " cut to " + cut + " bytes was accepted");
                // Prefixes shorter than 4 bytes are too short to identify as a cut image.
                if (length >= 4) {
                    assertEquals(Reason.TRUNCATED, error.reason(), format + " cut to " + cut + " bytes: "
                            + error.detail());
                }
            }
        }
    }

    @Test
    void checkKeepsChannelPosition() throws Exception {
        byte[] png = encode(gray8(), "png");
        Path file = write(png);

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(5);
            ImageCheck.check(channel);

            assertEquals(5, channel.position());
        }
    }

    // ---------------------------------------------------------------- not images

    @Test
    void emptyFileNotAnImage() throws Exception {
        InvalidImageException error = rejection(new byte[0]);

        assertEquals(Reason.NOT_AN_IMAGE, error.reason());
        assertEquals("file is empty", error.detail());
    }

    @Test
    void textFileNotAnImage() throws Exception {
        byte[] text = "filename,label\ncell0001.png,0\n".getBytes(StandardCharsets.US_ASCII);

        InvalidImageException error = rejection(text);

        assertEquals(Reason.NOT_AN_IMAGE, error.reason());
        assertEquals("starts with bytes 66 69 6C 65 6E 61 6D 65 (text)", error.detail());
    }

    @Test
    void gifHeaderNotAnImage() throws Exception {
        byte[] gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0};

        InvalidImageException error = rejection(gif);

        assertEquals(Reason.NOT_AN_IMAGE, error.reason());
        assertEquals("starts with bytes 47 49 46 38 39 61 01 00 (GIF)", error.detail());
    }

    @Test
    void webpHeaderNotAnImage() throws Exception {
        byte[] webp = "RIFF\u0024\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1);

        InvalidImageException error = rejection(webp);

        assertEquals(Reason.NOT_AN_IMAGE, error.reason());
        assertTrue(error.detail().endsWith("(WebP)"), error.detail());
    }

    @Test
    void zipNotAnImage() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("cell0001.png"));
            zip.write(encode(gray8(), "png"));
            zip.closeEntry();
        }

        InvalidImageException error = rejection(bytes.toByteArray());

        assertEquals(Reason.NOT_AN_IMAGE, error.reason());
        assertTrue(error.detail().endsWith("(ZIP)"), error.detail());
    }

    // ---------------------------------------------------------------- bytes read before the check

    @Test
    void startBytesGiveSameOutcome() throws Exception {
        List<byte[]> images = List.of(encode(gray8(), "png"), encode(gray16(), "png"), encode(gray8(), "jpeg"),
                encode(gray16(), "tiff"), encode(gray8(), "bmp"));
        for (byte[] image : images) {
            for (int length : new int[] {image.length, image.length / 2, image.length - 1, 7}) {
                Path file = write(Arrays.copyOf(image, length));
                String expected = outcome(file, -1);
                for (int start : new int[] {0, 16, length / 3, length, length + 100}) {
                    assertEquals(expected, outcome(file, start),
                            "file of " + length + " bytes, " + start + " bytes read before the check");
                }
            }
        }
    }

    /**
     * Checks {@code file} and returns the result or the rejection as text. Reads up to
     * {@code start} bytes from position 0 first and passes them on, or none when it is negative.
     */
    private static String outcome(Path file, int start) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ImageInfo info;
            if (start < 0) {
                info = ImageCheck.check(channel);
            } else {
                ByteBuffer head = ByteBuffer.allocate(start);
                int read = 0;
                while (head.hasRemaining() && read >= 0) {
                    read = channel.read(head, head.position());
                }
                info = ImageCheck.check(channel, head.flip());
            }
            return info.toString();
        } catch (InvalidImageException e) {
            return e.reason() + ": " + e.detail();
        }
    }

    // ---------------------------------------------------------------- helpers

    private ImageInfo check(byte[] bytes) throws Exception {
        return check(write(bytes));
    }

    private static ImageInfo check(Path file) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return ImageCheck.check(channel);
        }
    }

    private InvalidImageException rejection(byte[] bytes) throws IOException {
        Path file = write(bytes);
        return assertThrows(InvalidImageException.class, () -> check(file));
    }

    /** Asserts that the whole image passes and that each prefix of {@code cuts} bytes is TRUNCATED. */
    private void assertTruncatedAt(byte[] image, int[] cuts) throws Exception {
        check(image);
        for (int cut : cuts) {
            InvalidImageException error = rejection(Arrays.copyOf(image, cut));

            assertEquals(Reason.TRUNCATED, error.reason(), "cut to " + cut + " bytes: " + error.detail());
        }
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(tempDir, "image", ".bin");
        Files.write(file, bytes);
        return file;
    }

    private static BufferedImage gray8() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
        fillGradient(image.getRaster(), 255);
        return image;
    }

    private static BufferedImage gray16() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_USHORT_GRAY);
        fillGradient(image.getRaster(), 65535);
        return image;
    }

    private static BufferedImage rgb() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                image.setRGB(x, y, (x * 6) << 16 | (y * 11) << 8 | (x + y));
            }
        }
        return image;
    }

    /** Returns an image with the default 8-bit color palette of TYPE_BYTE_INDEXED. */
    private static BufferedImage indexed() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_INDEXED);
        fillGradient(image.getRaster(), 255);
        return image;
    }

    private static void fillGradient(WritableRaster raster, int maxValue) {
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                long value = (long) maxValue * (x + y) / (raster.getWidth() + raster.getHeight());
                raster.setSample(x, y, 0, (int) value);
            }
        }
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, bytes), "no ImageIO writer for " + format);
        return bytes.toByteArray();
    }

    private interface ParamSetup {
        void apply(ImageWriteParam param);
    }

    private static byte[] encodeWithParam(BufferedImage image, String format, ParamSetup setup)
            throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream output = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(output);
            ImageWriteParam param = writer.getDefaultWriteParam();
            setup.apply(param);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] encodeSequence(List<BufferedImage> images, String format) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream output = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(output);
            writer.prepareWriteSequence(null);
            for (BufferedImage image : images) {
                writer.writeToSequence(new IIOImage(image, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            bytes.writeBytes(part);
        }
        return bytes.toByteArray();
    }

    /**
     * Builds a 5 x 4 JPEG with SOI, an optional SOF segment, one SOS segment, a few bytes of scan
     * data and EOI. It has no quantization or Huffman tables, so it passes the structural check
     * but does not decode.
     */
    private static byte[] minimalJpeg(int sofCode, int precision, int components, boolean withSof) {
        ByteBuffer jpeg = ByteBuffer.allocate(64);
        jpeg.put((byte) 0xFF).put((byte) 0xD8);
        if (withSof) {
            jpeg.put((byte) 0xFF).put((byte) sofCode);
            jpeg.putShort((short) (8 + 3 * components));
            jpeg.put((byte) precision).putShort((short) 4).putShort((short) 5).put((byte) components);
            for (int i = 1; i <= components; i++) {
                jpeg.put((byte) i).put((byte) 0x11).put((byte) 0);
            }
        }
        jpeg.put((byte) 0xFF).put((byte) 0xDA).putShort((short) 8);
        jpeg.put((byte) 1).put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 63).put((byte) 0);
        jpeg.put(new byte[] {0x12, 0x34, (byte) 0xFF, 0x00, 0x56});
        jpeg.put((byte) 0xFF).put((byte) 0xD9);
        return Arrays.copyOf(jpeg.array(), jpeg.position());
    }

    /**
     * Builds a 5 x 4 8-bit grayscale TIFF with one IFD at byte 8 and one strip per
     * {@code rowsPerStrip} rows. Each test changes one field before calling {@link #build()}.
     */
    private static final class TiffBuilder {
        private static final int COLUMNS = 5;
        private static final int ROWS = 4;

        final ByteOrder order;
        int offsetType = 3;
        int rowsPerStrip = 1;
        int photometric = 1;
        boolean withStrips = true;
        int lastStripExtraBytes;
        long nextIfd;

        TiffBuilder(ByteOrder order) {
            this.order = order;
        }

        byte[] build() {
            int strips = (ROWS + rowsPerStrip - 1) / rowsPerStrip;
            int entryCount = 6 + (photometric >= 0 ? 1 : 0) + (withStrips ? 2 : 0);
            int ifdEnd = 8 + 2 + entryCount * 12 + 4;
            int valueSize = offsetType == 3 ? 2 : 4;
            boolean inline = strips * valueSize <= 4;
            int offsetsTable = ifdEnd;
            int countsTable = offsetsTable + (inline ? 0 : strips * valueSize);
            int pixelStart = countsTable + (inline ? 0 : strips * valueSize);

            ByteBuffer tiff = ByteBuffer.allocate(pixelStart + COLUMNS * ROWS).order(order);
            tiff.put(order == ByteOrder.LITTLE_ENDIAN ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
            tiff.putShort((short) 42).putInt(8);

            tiff.putShort((short) entryCount);
            putEntry(tiff, 256, 3, 1, COLUMNS);
            putEntry(tiff, 257, 3, 1, ROWS);
            putEntry(tiff, 258, 3, 1, 8);
            putEntry(tiff, 259, 3, 1, 1);
            if (photometric >= 0) {
                putEntry(tiff, 262, 3, 1, photometric);
            }
            if (withStrips) {
                putEntry(tiff, 273, offsetType, strips, inline ? pixelStart : offsetsTable);
            }
            putEntry(tiff, 277, 3, 1, 1);
            putEntry(tiff, 278, 3, 1, rowsPerStrip);
            if (withStrips) {
                int count = inline ? COLUMNS * rowsPerStrip + lastStripExtraBytes : countsTable;
                putEntry(tiff, 279, offsetType, strips, count);
            }
            tiff.putInt((int) nextIfd);

            if (!inline) {
                for (int i = 0; i < strips; i++) {
                    putValue(tiff, pixelStart + i * COLUMNS * rowsPerStrip);
                }
                for (int i = 0; i < strips; i++) {
                    int extra = i == strips - 1 ? lastStripExtraBytes : 0;
                    putValue(tiff, COLUMNS * rowsPerStrip + extra);
                }
            }
            for (int i = 0; i < COLUMNS * ROWS; i++) {
                tiff.put((byte) (i * 10));
            }
            return tiff.array();
        }

        private void putEntry(ByteBuffer tiff, int tag, int type, int count, int value) {
            tiff.putShort((short) tag).putShort((short) type).putInt(count);
            if (type == 3 && count == 1) {
                // A single SHORT sits in the first 2 bytes of the 4-byte value field.
                tiff.putShort((short) value).putShort((short) 0);
            } else {
                tiff.putInt(value);
            }
        }

        private void putValue(ByteBuffer tiff, int value) {
            if (offsetType == 3) {
                tiff.putShort((short) value);
            } else {
                tiff.putInt(value);
            }
        }
    }
}
