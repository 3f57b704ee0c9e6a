package dev.dsv.cli;

import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectType;
import dev.dsv.service.FsckService;
import dev.dsv.service.Session;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code dsv fsck}: re-hashes every reachable object; exit code 1 when anything is wrong. */
@Command(name = "fsck")
final class FsckCommand extends BaseCommand {
    @Override
    int run() {
        try (Session session = openSession()) {
            FsckService.Report r = new FsckService(session, progress()).check();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                Map<String, Object> checked = new LinkedHashMap<>();
                r.checked().forEach((t, n) -> checked.put(t.jsonName(), n));
                doc.put("ok", r.clean());
                doc.put("checked", checked);
                doc.put("blob_bytes", r.blobBytes());
                doc.put("missing", findings(r.missing()));
                doc.put("corrupt", findings(r.corrupt()));
                doc.put("absent_by_design", findings(r.absent()));
                Map<String, String> damaged = new LinkedHashMap<>();
                r.damagedPacks().forEach((p, why) -> damaged.put(p.toString(), why));
                doc.put("damaged_packs", damaged);
                doc.put("damaged_link_cache", r.damagedLinks().stream().map(Object::toString).toList());
                out().printJson(doc);
            } else {
                int total = r.checked().values().stream().mapToInt(Integer::intValue).sum();
                out().println("fsck.checked", total, r.checked().get(ObjectType.COMMIT), r.checked().get(ObjectType.TREE),
                        r.checked().get(ObjectType.LABEL), r.checked().get(ObjectType.BLOB), r.blobBytes() / 1e6,
                        r.checked().get(ObjectType.VECTOR));
                print("fsck.missing", r.missing());
                print("fsck.corrupt", r.corrupt());
                print("fsck.absent", r.absent());
                r.damagedPacks().forEach((p, why) -> out().println("fsck.damagedPack", p, why));
                r.damagedLinks().forEach(p -> out().println("fsck.damagedLink", p));
                out().println(r.clean() ? "fsck.ok" : "fsck.failed");
            }
            return r.clean() ? 0 : ExitCode.CHECK_FAILED.code();
        }
    }

    private void print(String key, List<FsckService.Finding> findings) {
        for (FsckService.Finding f : findings) {
            out().println(key, f.type().jsonName(), f.id().hex(), f.referencedFrom(), detail(f));
        }
    }

    private String detail(FsckService.Finding f) {
        return f.detail() == null ? "" : out().text(f.detail().messageKey(), f.detail().arguments());
    }

    private List<Map<String, Object>> findings(List<FsckService.Finding> list) {
        return list.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", f.id().hex());
            m.put("type", f.type().jsonName().toLowerCase(Locale.ROOT));
            m.put("referenced_from", f.referencedFrom());
            m.put("detail", f.detail() == null ? null : detail(f));
            return m;
        }).toList();
    }
}
