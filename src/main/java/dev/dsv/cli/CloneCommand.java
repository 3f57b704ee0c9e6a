package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.remote.BlobFilter;
import dev.dsv.remote.CloneService;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv clone URL DIR}: a new repository from a remote, whole or partial. */
@Command(name = "clone")
final class CloneCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "URL", descriptionKey = "clone.url")
    String url;

    @Parameters(index = "1", paramLabel = "DIR", descriptionKey = "clone.dir")
    Path dir;

    @Option(names = "--filter", paramLabel = "cell-type=T[,defect=D]", descriptionKey = "clone.filter")
    String filter;

    @Option(names = "--no-blobs", descriptionKey = "clone.noBlobs")
    boolean noBlobs;

    @picocli.CommandLine.Mixin
    RemoteCommand.StorageOptions options = new RemoteCommand.StorageOptions();

    @Override
    int run() {
        if (filter != null && noBlobs) {
            throw new DsvException(ExitCode.USAGE, "error.clone.filterAndNoBlobs");
        }
        BlobFilter blobs = noBlobs ? new BlobFilter(null, null, true) : filter == null ? null : BlobFilter.parse(filter);
        Path base = rootCommand().workingDirectory();
        String remoteUrl = url;
        if (!url.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !Path.of(url).isAbsolute()) {
            remoteUrl = base.resolve(url).toAbsolutePath().normalize().toString();
        }
        CloneService.Result r = CloneService.clone(remoteUrl, base.resolve(dir), blobs, options.toMap());
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("directory", r.directory().toString());
            doc.put("remote", "origin");
            doc.put("url", remoteUrl);
            doc.put("branch", r.branch());
            doc.put("branches", r.branches());
            doc.put("filter", blobs == null ? null : blobs.describe());
            doc.put("fetch", FetchCommand.view(r.fetch()));
            out().printJson(doc);
        } else {
            out().println("clone.done", r.directory(), remoteUrl, r.branches().size(), r.fetch().objects(),
                    r.fetch().bytes(), r.branch());
            if (blobs != null) {
                out().println("clone.partial", blobs.describe(), r.fetch().absentRecorded());
            }
        }
        return 0;
    }
}
