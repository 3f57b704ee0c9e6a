package dev.dsv.service;

import java.util.List;

/**
 * Values given by flags for a whole add ({@code --cell-type}, {@code --defect}, ...). Each one
 * fills the column a labels file lacks or leaves empty, or labels every image when there is no
 * labels file. Null means not given; {@code defects} null means not given, empty means no defect.
 */
public record LabelDefaults(
        String cellType,
        List<String> defects,
        String split,
        String source,
        String generator,
        String labeler,
        String labeledAt,
        String confidence,
        String guideline) {

    public static final LabelDefaults NONE = new LabelDefaults(null, null, null, null, null, null, null, null, null);
}
