package dev.dsv.model;

/** A cell type x defect pair: the key of a sub-library. The defect may be {@link Defect#NONE}. */
public record CellDefect(String cellType, String defect) implements Comparable<CellDefect> {
    @Override
    public int compareTo(CellDefect o) {
        int c = CanonicalJson.CODE_POINT_ORDER.compare(cellType, o.cellType);
        return c != 0 ? c : CanonicalJson.CODE_POINT_ORDER.compare(defect, o.defect);
    }
}
