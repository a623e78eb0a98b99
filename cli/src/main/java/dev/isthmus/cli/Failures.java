package dev.isthmus.cli;

import dev.isthmus.identity.ca.CertificateRequestException;
import dev.isthmus.identity.ca.InvalidAuthorityException;
import dev.isthmus.identity.pem.PemException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns the errors a user can fix (a bad file, a bad argument) into one line on stderr and exit code 1;
 * anything else is a bug and keeps its stack trace.
 */
final class Failures implements IExecutionExceptionHandler {

    static final int USER_ERROR = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
        if (e instanceof PemException || e instanceof InvalidAuthorityException || e instanceof CertificateRequestException
                || e instanceof IllegalArgumentException || e instanceof UserException) {
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            return USER_ERROR;
        }
        e.printStackTrace(command.getErr());
        return CommandLine.ExitCode.SOFTWARE;
    }
}
