package dev.dsv.cli;

import dev.dsv.error.ExitCode;
import dev.dsv.policy.GateResult;
import dev.dsv.service.PromoteService;
import dev.dsv.service.Session;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv promote BRANCH [--into main] [--dry-run]}: gated promotion into a protected branch. */
@Command(name = "promote")
final class PromoteCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "BRANCH", descriptionKey = "promote.branch")
    String branch;

    @Option(names = "--into", paramLabel = "TARGET", defaultValue = "main", descriptionKey = "promote.into")
    String into;

    @Option(names = "--dry-run", descriptionKey = "promote.dryRun")
    boolean dryRun;

    @Option(names = "--accept-policy-change", descriptionKey = "promote.acceptPolicyChange")
    boolean acceptPolicyChange;

    @Override
    int run() {
        try (Session session = openSession()) {
            PromoteService.Result r = new PromoteService(session).promote(branch, into, dryRun, acceptPolicyChange);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("branch", r.branch());
                doc.put("into", r.target());
                doc.put("candidate", r.candidateHead().hex());
                doc.put("promoted", r.promoted());
                doc.put("dry_run", r.dryRun());
                doc.put("passed", r.passed());
                doc.put("head", r.newHead() == null ? null : r.newHead().hex());
                doc.put("policy", r.policyVersion());
                doc.put("report_sha256", r.reportHash());
                doc.put("images", r.images());
                doc.put("policy_change_accepted", r.policyChangeAccepted());
                doc.put("gates", r.gates().stream().map(g -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("gate", g.gate());
                    m.put("passed", g.passed());
                    m.put("rule", g.rule());
                    m.put("checked", g.checked());
                    m.put("offending", g.offending());
                    m.put("examples", g.examples());
                    return m;
                }).toList());
                out().printJson(doc);
            } else {
                for (GateResult g : r.gates()) {
                    boolean acceptedChange = g.gate().equals("policy-change") && g.passed() && g.offending() > 0;
                    String text = out().text(acceptedChange ? "promote.gate.changeAccepted"
                            : g.passed() ? "promote.gate.passed" : "promote.gate.failed", g.gate(), g.rule(),
                            g.offending(), g.checked());
                    out().line(terminal().paint(acceptedChange ? Terminal.YELLOW : g.passed() ? Terminal.GREEN
                            : Terminal.RED, text));
                    g.examples().forEach(e -> out().line("      " + e));
                }
                if (r.policyChangeAccepted()) {
                    out().println(r.promoted() ? "promote.policyChangeAccepted" : "promote.policyChangeAcceptedNotDone",
                            r.target());
                }
                if (r.promoted()) {
                    out().println("promote.done", r.branch(), r.target(), r.newHead().abbreviate(12), r.images());
                } else if (!r.dryRun()) {
                    out().println("promote.refused", r.branch(), r.target());
                } else {
                    out().println(r.passed() ? "promote.dryPassed" : "promote.dryFailed", r.branch(), r.target());
                }
            }
            return r.passed() ? 0 : ExitCode.CHECK_FAILED.code();
        }
    }
}
