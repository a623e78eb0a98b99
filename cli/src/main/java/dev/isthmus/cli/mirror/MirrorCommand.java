package dev.isthmus.cli.mirror;

import picocli.CommandLine.Command;

/** {@code isthmus mirror}: the service mirror controller, one per Link. */
@Command(name = "mirror", mixinStandardHelpOptions = true,
        description = "The service mirror: copies a linked cluster's exported Services into this one.",
        subcommands = {MirrorRunCommand.class})
public final class MirrorCommand {}
