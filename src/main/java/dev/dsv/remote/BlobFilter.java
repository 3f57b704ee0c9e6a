package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Which blobs a partial clone fetches: those of images with a cell type and, optionally, a defect
 * type ({@code none} for images without defects), or no blobs at all.
 */
public record BlobFilter(String cellType, String defect, boolean noBlobs) {

    /** Parses {@code cell-type=T[,defect=D]}. */
    public static BlobFilter parse(String text) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new DsvException(ExitCode.USAGE, "error.clone.filter", text);
            }
            parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
        String cellType = parts.remove("cell-type");
        String defect = parts.remove("defect");
        if (!parts.isEmpty() || (cellType == null && defect == null)) {
            throw new DsvException(ExitCode.USAGE, "error.clone.filter", text);
        }
        return new BlobFilter(cellType, defect, false);
    }

    /**
     * Returns this filter with its values spelled as the library's vocabulary spells them (cell
     * types and defect types match case-insensitively, as elsewhere in dsv). An unknown value is
     * an error naming the values the library has, since it would silently select nothing.
     */
    public BlobFilter resolve(dev.dsv.repo.RepositoryConfig config, String remote) {
        if (noBlobs) {
            return this;
        }
        String cell = cellType == null ? null : pick(cellType, config.cellTypes().values(), "cell-type", remote);
        java.util.List<String> defects = new java.util.ArrayList<>(config.defectTypes().values());
        defects.add("none");
        String d = defect == null ? null : pick(defect, defects, "defect", remote);
        return new BlobFilter(cell, d, false);
    }

    private static String pick(String value, java.util.Collection<String> known, String key, String remote) {
        for (String k : known) {
            if (k.equalsIgnoreCase(value)) {
                return k;
            }
        }
        throw new DsvException(ExitCode.INVALID_INPUT, "error.clone.filterUnknown", key, value, remote,
                String.join(", ", known));
    }

    /** Returns true when the image's blob is to be fetched; reads the label only for a defect filter. */
    public boolean matches(ImageEntry entry, Function<dev.dsv.model.ObjectId, LabelRecord> labels) {
        if (noBlobs) {
            return false;
        }
        if (cellType != null && !cellType.equals(entry.cellType())) {
            return false;
        }
        if (defect == null) {
            return true;
        }
        var types = labels.apply(entry.label()).defectTypes();
        return defect.equals("none") ? types.isEmpty() : types.contains(defect);
    }

    /** Returns the filter as the user writes it, for listings. */
    public String describe() {
        if (noBlobs) {
            return "no-blobs";
        }
        StringBuilder s = new StringBuilder();
        if (cellType != null) {
            s.append("cell-type=").append(cellType);
        }
        if (defect != null) {
            s.append(s.length() > 0 ? "," : "").append("defect=").append(defect);
        }
        return s.toString();
    }

    /** Parses what {@link #describe()} wrote. */
    public static BlobFilter fromDescription(String text) {
        return text.equals("no-blobs") ? new BlobFilter(null, null, true) : parse(text);
    }
}
