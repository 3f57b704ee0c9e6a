package dev.dsv.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.HeaderEdit;
import dev.dsv.testing.Images;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrayImageTest {
    @TempDir
    Path temp;

    @Test
    void readsRealElpvPng() throws IOException {
        Path file = Images.sampleImages().get(0);
        GrayImage image = GrayImage.read(file);
        BufferedImage reference = ImageIO.read(file.toFile());

        assertEquals(300, image.width());
        assertEquals(300, image.height());
        assertEquals(8, image.bitDepth());
        int sample = reference.getRaster().getSample(17, 42, 0);
        assertEquals(sample / 255f, image.get(17, 42), 1e-6);
    }

    @Test
    void decodes16BitPngAndTiff() throws IOException {
        BufferedImage source = gradient16(40, 30);
        for (String format : new String[] {"png", "tiff"}) {
            GrayImage image = GrayImage.decode(encode(source, format));

            assertEquals(16, image.bitDepth(), format);
            assertEquals(40, image.width(), format);
            assertEquals(source.getRaster().getSample(39, 29, 0) / 65535f, image.get(39, 29), 1e-6, format);
            assertEquals(source.getRaster().getSample(5, 7, 0) / 65535f, image.get(5, 7), 1e-6, format);
        }
    }

    @Test
    void decodes8BitJpegBmpAndTiff() throws IOException {
        BufferedImage source = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = source.getRaster();
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                raster.setSample(x, y, 0, 100);
            }
        }
        for (String format : new String[] {"jpeg", "bmp", "tiff", "png"}) {
            GrayImage image = GrayImage.decode(encode(source, format));

            assertEquals(8, image.bitDepth(), format);
            assertEquals(100 / 255f, image.get(10, 10), 2 / 255f, format);
        }
    }

    @Test
    void decodeRejectsGarbage() {
        assertThrows(ImageDecodeException.class, () -> GrayImage.decode(new byte[] {1, 2, 3, 4, 5}));
    }

    @Test
    void resizeAveragesAreas() {
        float[] samples = new float[16];
        for (int i = 0; i < 16; i++) {
            samples[i] = i / 15f;
        }
        GrayImage image = new GrayImage(4, 4, 8, samples);

        GrayImage half = image.resize(2, 2);
        assertEquals((0 + 1 + 4 + 5) / 4f / 15f, half.get(0, 0), 1e-6);
        assertEquals((10 + 11 + 14 + 15) / 4f / 15f, half.get(1, 1), 1e-6);

        GrayImage third = image.resize(3, 1);
        double left = (0 + 4 + 8 + 12) / 4.0 + (1 + 5 + 9 + 13) / 4.0 / 3.0;
        assertEquals(left / (4.0 / 3.0) / 15.0, third.get(0, 0), 1e-5);

        GrayImage up = image.resize(8, 8);
        assertEquals(image.get(3, 3), up.get(7, 7), 1e-6);
    }

    @Test
    void resizeKeepsMean() throws IOException {
        GrayImage image = GrayImage.read(Images.sampleImages().get(3));
        GrayImage small = image.resize(97, 61);
        assertEquals(mean(image), mean(small), 1e-4);
        assertTrue(image.fitWithin(128).width() <= 128);
    }

    private static double mean(GrayImage image) {
        double sum = 0;
        for (float v : image.samples()) {
            sum += v;
        }
        return sum / image.samples().length;
    }

    static BufferedImage gradient16(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, (x * 1613 + y * 977) % 65536);
            }
        }
        return image;
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    @Test
    void readNamesFile() throws IOException {
        Path bad = temp.resolve("bad.png");
        Files.write(bad, new byte[] {9, 9, 9});
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> GrayImage.read(bad));
        assertTrue(e.getMessage().contains("bad.png"));
    }

    @Test
    void decodeRejectsHugePngHeader() throws IOException {
        byte[] png = HeaderEdit.declaring(encode(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png"), "png", 60000, 60000);
        assertTrue(png.length < 1000, "the crafted file is small: " + png.length + " bytes");

        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> GrayImage.decode(png));
        assertEquals(60000, e.width());
        assertEquals(60000, e.height());
        assertEquals(GrayImage.MAX_PIXELS, e.limit());
        assertTrue(e.getMessage().contains("60000 x 60000"), e.getMessage());
    }

    @Test
    void decodeRejectsHugeJpegHeader() throws IOException {
        byte[] jpeg = HeaderEdit.declaring(encode(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "jpeg"), "jpeg",
                60000, 50000);

        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> GrayImage.decode(jpeg));
        assertEquals(60000, e.width());
        assertEquals(50000, e.height());
    }

    @Test
    void decodeLimitIsFromPixelCount() throws IOException {
        // 64 000 001 pixels in one row: each side is small, the product is one above the limit.
        byte[] png = HeaderEdit.declaring(encode(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png"), "png",
                (int) GrayImage.MAX_PIXELS + 1, 1);

        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> GrayImage.decode(png));
        assertEquals(1, e.height());
    }

    @Test
    void readNamesFileAndSizeOfHugeImage() throws IOException {
        Path huge = temp.resolve("huge.png");
        Files.write(huge, HeaderEdit.declaring(encode(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png"), "png",
                60000, 60000));

        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> GrayImage.read(huge));
        assertTrue(e.getMessage().contains("huge.png"), e.getMessage());
        assertTrue(e.getMessage().contains("60000 x 60000"), e.getMessage());
        assertEquals(60000, e.width());
    }
}
