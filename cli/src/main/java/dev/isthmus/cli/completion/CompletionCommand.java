package dev.isthmus.cli.completion;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isthmus completion bash}: the shell completion script for every command and option. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script.",
            "",
            "  source <(isthmus completion bash)            # this shell",
            "  isthmus completion bash > /etc/bash_completion.d/isthmus",
            "",
            "The script also works in zsh after `autoload -U +X bashcompinit && bashcompinit`.",
            ""})
public final class CompletionCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "<shell>", description = "The shell: ${COMPLETION-CANDIDATES}.")
    Shell shell;

    enum Shell { bash }

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
