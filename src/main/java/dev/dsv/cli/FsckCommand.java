package dev.dsv.cli;

import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectType;
import dev.dsv.remote.RepairService;
import dev.dsv.service.FsckService;
import dev.dsv.service.Session;
import dev.dsv.trust.SignatureAudit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dsv fsck}: re-hashes every reachable object and checks the index; exit code 1 when
 * anything is wrong. {@code --remote NAME} checks a remote instead, {@code --repair} restores
 * what it can and exits 1 when anything is left.
 */
@Command(name = "fsck")
final class FsckCommand extends BaseCommand {
    @Option(names = "--repair", descriptionKey = "fsck.repairOption")
    boolean repair;

    @Option(names = "--remote", paramLabel = "NAME", descriptionKey = "fsck.remoteOption")
    String remote;

    @Override
    int run() {
        if (repair && remote != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), out().text("fsck.repairAndRemote"));
        }
        try (Session session = openSession()) {
            if (remote != null) {
                return printRemote(new RepairService(session, progress()).checkRemote(remote));
            }
            if (repair) {
                return printRepair(new RepairService(session, progress()).repair());
            }
            FsckService.Report r = new FsckService(session, progress()).check();
            SignatureAudit.Report signatures = new SignatureAudit(session).check();
            boolean clean = r.clean() && signatures.clean();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                putReport(doc, r);
                doc.put("ok", clean);
                doc.put("signatures", signatureView(signatures));
                out().printJson(doc);
            } else {
                printReport(r);
                printSignatures(signatures);
                out().println(clean ? "fsck.ok" : "fsck.failed");
            }
            return clean ? 0 : ExitCode.CHECK_FAILED.code();
        }
    }

    private void printSignatures(SignatureAudit.Report signatures) {
        if (signatures.signed() > 0) {
            out().println("fsck.signatures", signatures.signed(), signatures.valid(), signatures.unchecked(),
                    signatures.invalid().size());
        }
        signatures.invalid().forEach(i -> out().println("fsck.badSignature", i.id().hex(), i.kind(),
                i.author(), i.detail()));
        if (signatures.unchecked() > 0) {
            out().println("fsck.unverifiedSignatures", signatures.unchecked(), signatures.allowedSigners());
        }
    }

    private static Map<String, Object> signatureView(SignatureAudit.Report s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("signed", s.signed());
        m.put("valid", s.valid());
        m.put("unchecked_signers", s.unchecked());
        m.put("allowed_signers", s.allowedSigners().toString());
        m.put("allowed_signers_found", s.allowedSignersFound());
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

    private void putReport(Map<String, Object> doc, FsckService.Report r) {
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
        doc.put("index_problems", r.indexProblems());
    }

    private void printReport(FsckService.Report r) {
        int total = r.checked().values().stream().mapToInt(Integer::intValue).sum();
        out().println("fsck.checked", total, r.checked().get(ObjectType.COMMIT), r.checked().get(ObjectType.TREE),
                r.checked().get(ObjectType.LABEL), r.checked().get(ObjectType.BLOB), r.blobBytes() / 1e6,
                r.checked().get(ObjectType.VECTOR));
        print("fsck.missing", r.missing());
        print("fsck.corrupt", r.corrupt());
        print("fsck.absent", r.absent());
        r.damagedPacks().forEach((p, why) -> out().println("fsck.damagedPack", p, why));
        r.damagedLinks().forEach(p -> out().println("fsck.damagedLink", p));
        r.indexProblems().forEach(p -> out().println("fsck.index", p));
    }

    private int printRemote(RepairService.RemoteCheck c) {
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("remote", c.remote());
            doc.put("ok", c.clean());
            doc.put("checked", c.checked());
            doc.put("corrupt", c.corrupt().entrySet().stream().map(e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", e.getKey().hex());
                m.put("detail", out().text(e.getValue().messageKey(), e.getValue().arguments()));
                return m;
            }).toList());
            Map<String, String> damaged = new LinkedHashMap<>();
            c.damagedPacks().forEach((p, why) -> damaged.put(p.toString().replace('\\', '/'), why));
            doc.put("damaged_packs", damaged);
            doc.put("refs_without_commit", c.refsWithoutCommit());
            out().printJson(doc);
        } else {
            out().println("fsck.remote.checked", c.remote(), c.checked());
            c.corrupt().forEach((id, p) -> out().println("fsck.remote.corrupt", c.remote(), id.hex(),
                    out().text(p.messageKey(), p.arguments())));
            c.damagedPacks().forEach((p, why) -> out().println("fsck.remote.damagedPack", c.remote(), p, why));
            c.refsWithoutCommit().forEach(ref -> out().println("fsck.remote.refWithoutCommit", c.remote(), ref));
            out().println(c.clean() ? "fsck.ok" : "fsck.remote.failed");
        }
        return c.clean() ? 0 : ExitCode.CHECK_FAILED.code();
    }

    private int printRepair(RepairService.Repair r) {
        List<FsckService.Finding> left = new java.util.ArrayList<>(r.after().missing());
        left.addAll(r.after().corrupt());
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("ok", r.after().clean());
            doc.put("packs_recovered", r.packsRecovered());
            doc.put("restored", r.restored().entrySet().stream().map(e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", e.getKey().hex());
                m.put("remote", e.getValue());
                return m;
            }).toList());
            doc.put("reindexed", r.reindexed());
            doc.put("link_cache_removed", r.linkCacheDropped().stream().map(Object::toString).toList());
            doc.put("unrestored", findings(left));
            Map<String, Object> after = new LinkedHashMap<>();
            putReport(after, r.after());
            doc.put("after", after);
            out().printJson(doc);
        } else {
            if (r.packsRecovered() > 0) {
                out().println("fsck.repair.packsRecovered", r.packsRecovered());
            }
            r.restored().forEach((id, from) -> out().println("fsck.repair.restored", id.hex(), from));
            r.linkCacheDropped().forEach(p -> out().println("fsck.repair.linkRemoved", p));
            if (r.reindexed()) {
                out().println("fsck.repair.reindexed");
            }
            for (FsckService.Finding f : left) {
                out().println("fsck.repair.unrestored", f.type().jsonName(), f.id().hex(), f.referencedFrom());
            }
            if (r.after().clean()) {
                out().println("fsck.repair.ok");
            } else {
                printReport(r.after());
                out().println("fsck.repair.failed", left.size());
            }
        }
        return r.after().clean() ? 0 : ExitCode.CHECK_FAILED.code();
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
