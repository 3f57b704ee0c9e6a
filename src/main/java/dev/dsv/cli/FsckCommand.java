package dev.dsv.cli;

import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectType;
import dev.dsv.service.FsckService;
import dev.dsv.service.Session;
import dev.dsv.trust.SignatureAudit;
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
            SignatureAudit.Report signatures = new SignatureAudit(session).check();
            boolean clean = r.clean() && signatures.clean();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                Map<String, Object> checked = new LinkedHashMap<>();
                r.checked().forEach((t, n) -> checked.put(t.jsonName(), n));
                doc.put("ok", clean);
                doc.put("checked", checked);
                doc.put("blob_bytes", r.blobBytes());
                doc.put("missing", findings(r.missing()));
                doc.put("corrupt", findings(r.corrupt()));
                doc.put("absent_by_design", findings(r.absent()));
                Map<String, String> damaged = new LinkedHashMap<>();
                r.damagedPacks().forEach((p, why) -> damaged.put(p.toString(), why));
                doc.put("damaged_packs", damaged);
                doc.put("damaged_link_cache", r.damagedLinks().stream().map(Object::toString).toList());
                doc.put("signatures", signatureView(signatures));
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
                if (signatures.signed() > 0) {
                    out().println("fsck.signatures", signatures.signed(), signatures.valid(), signatures.unchecked(),
                            signatures.invalid().size());
                }
                signatures.invalid().forEach(i -> out().println("fsck.badSignature", i.id().hex(), i.kind(),
                        i.author(), i.detail()));
                out().println(clean ? "fsck.ok" : "fsck.failed");
            }
            return clean ? 0 : ExitCode.CHECK_FAILED.code();
        }
    }

    private static Map<String, Object> signatureView(SignatureAudit.Report s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signed", s.signed());
        m.put("valid", s.valid());
        m.put("unchecked_signers", s.unchecked());
        m.put("invalid", s.invalid().stream().map(i -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", i.id().hex());
            v.put("kind", i.kind());
            v.put("author", i.author());
            v.put("detail", i.detail());
            return v;
        }).toList());
        return m;
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
