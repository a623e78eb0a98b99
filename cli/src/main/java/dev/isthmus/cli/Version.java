package dev.isthmus.cli;

import picocli.CommandLine.IVersionProvider;

/** The version Maven stamped into the jar's manifest, or "development" when run from classes. */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Isthmus.class.getPackage().getImplementationVersion();
        return new String[] {"isthmus " + (version == null ? "development" : version)};
    }
}
