package dev.dsv.tree;

import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;

/** One named entry of a folder: an image (with its entry) or a subfolder (with its tree id). */
public record TreeEntry(String name, ImageEntry image, ObjectId tree) {
    public TreeEntry {
        if ((image == null) == (tree == null)) {
            throw new IllegalArgumentException("an entry is either an image or a folder: " + name);
        }
    }

    public static TreeEntry image(String name, ImageEntry image) {
        return new TreeEntry(name, image, null);
    }

    public static TreeEntry folder(String name, ObjectId tree) {
        return new TreeEntry(name, null, tree);
    }

    public boolean isFolder() {
        return tree != null;
    }
}
