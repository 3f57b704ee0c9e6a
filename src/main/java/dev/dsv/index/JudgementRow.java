package dev.dsv.index;

/**
 * One label record of an image of a tree, as the index stores it: the record id, the blob it
 * judges, the labeler, the labeled-at time as written, the canonical JSON array of its defects,
 * the cell type of the image (the smallest one when paths holding the blob differ), and the
 * guideline version the record followed (null when it names none).
 */
public record JudgementRow(String label, String blob, String labeler, String labeledAt, String defectsJson,
                           String cellType, String guideline) {
}
