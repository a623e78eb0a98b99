package dev.isthmus.cli.identity;

import picocli.CommandLine.Command;

/** {@code isthmus identity}: the issuer that signs workload certificates. */
@Command(name = "identity", mixinStandardHelpOptions = true,
        description = "The identity issuer: signs short-lived workload certificates under the trust anchor.",
        subcommands = {IdentityRunCommand.class})
public final class IdentityCommand {}
