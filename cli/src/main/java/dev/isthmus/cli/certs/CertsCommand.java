package dev.isthmus.cli.certs;

import picocli.CommandLine.Command;

/** {@code isthmus certs}: the trust anchor, issuers and workload certificates, made and inspected by hand. */
@Command(name = "certs",
        mixinStandardHelpOptions = true,
        description = "Create and inspect trust anchors, issuers and workload certificates.",
        subcommands = {RootCommand.class, IssuerCommand.class, LeafCommand.class, InspectCommand.class})
public final class CertsCommand {}
