package dev.dsv.cli;

import dev.dsv.repo.Repository;
import picocli.CommandLine.IVersionProvider;

/** Prints the dsv version and the repository format it reads and writes. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {
            "dsv " + (version == null ? "development build" : version),
            "repository format " + Repository.FORMAT_VERSION
        };
    }
}
