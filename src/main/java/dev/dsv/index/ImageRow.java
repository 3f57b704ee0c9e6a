package dev.dsv.index;

/**
 * One image of a listing, as the index stores it. {@code defectsJson} is the canonical JSON
 * array of the label's defects; {@code confidence} is a plain decimal string or null;
 * {@code guideline} is the guideline version the label followed, or null.
 */
public record ImageRow(
        String path,
        String blob,
        String label,
        String cellType,
        String split,
        String source,
        String generator,
        String attributesJson,
        String labeler,
        String labeledAt,
        String confidence,
        String defectsJson,
        String guideline) {
}
