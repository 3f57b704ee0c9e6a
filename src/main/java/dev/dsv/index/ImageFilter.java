package dev.dsv.index;

/**
 * Selects images in a listing. Null fields match everything. {@code defect} "none" selects images
 * whose label has no defects; {@code split} "none" selects images without a split.
 * {@code pathPrefix} selects a folder of the dataset, or the one image at that path.
 */
public record ImageFilter(String cellType, String defect, String split, String source, String pathPrefix) {
    public static final ImageFilter ALL = new ImageFilter(null, null, null, null, null);
}
