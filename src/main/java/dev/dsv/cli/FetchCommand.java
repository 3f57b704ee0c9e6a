package dev.dsv.cli;

import dev.dsv.remote.FetchService;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv fetch [REMOTE]}: downloads what a remote has and this clone lacks. */
@Command(name = "fetch")
final class FetchCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REMOTE", descriptionKey = "fetch.remote")
    String remote;

    @Override
    int run() {
        try (Session session = openSession()) {
            FetchService.Result r = new FetchService(session).fetch(remote);
            print(out(), r);
        }
        return 0;
    }

    static Map<String, Object> view(FetchService.Result r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("remote", r.remote());
        List<Map<String, Object>> updates = new ArrayList<>();
        for (FetchService.RefUpdate u : r.updates()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("branch", u.branch());
            v.put("before", u.before() == null ? null : u.before().hex());
            v.put("after", u.after() == null ? null : u.after().hex());
            updates.add(v);
        }
        doc.put("updated", updates);
        doc.put("tags_created", r.tags().stream().map(t -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", t.name());
            v.put("commit", t.commit().hex());
            return v;
        }).toList());
        doc.put("tags_left_out", r.tagConflicts().stream().map(t -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", t.name());
            v.put("local", t.local() == null ? null : t.local().hex());
            v.put("remote", t.remote().hex());
            return v;
        }).toList());
        doc.put("objects_fetched", r.objects());
        doc.put("bytes_fetched", r.bytes());
        doc.put("meta_records", r.metaRecords());
        doc.put("absent_recorded", r.absentRecorded());
        doc.put("retries", r.retries());
        return doc;
    }

    static void print(Output out, FetchService.Result r) {
        for (FetchService.TagConflict t : r.tagConflicts()) {
            if (t.local() != null) {
                out.note("fetch.tagConflict", t.name(), r.remote(), t.local().hex(), t.remote().hex());
            } else {
                out.note("fetch.tagBlocked", t.name(), r.remote(), out.text(t.reasonKey(), t.reasonArguments().toArray()));
            }
        }
        if (out.json()) {
            Map<String, Object> doc = Output.document();
            doc.putAll(view(r));
            out.printJson(doc);
            return;
        }
        for (FetchService.RefUpdate u : r.updates()) {
            String from = u.before() == null ? "-" : u.before().abbreviate(12);
            String to = u.after() == null ? "-" : u.after().abbreviate(12);
            out.line("  " + r.remote() + "/" + u.branch() + "\t" + from + " -> " + to);
        }
        for (FetchService.TagUpdate t : r.tags()) {
            out.println("fetch.tag", t.name(), t.commit().abbreviate(12));
        }
        out.println("fetch.done", r.remote(), r.objects(), r.bytes(), r.metaRecords(), r.absentRecorded());
    }
}
