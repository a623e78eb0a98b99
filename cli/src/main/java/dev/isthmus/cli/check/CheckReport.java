package dev.isthmus.cli.check;

import dev.isthmus.cli.UserException;
import dev.isthmus.cli.kube.KubeErrors;
import dev.isthmus.cli.kube.KubeOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Check results printed as {@code linkerd check} prints them: a heading per group, one line per check
 * ({@code √} passed, {@code ‼} warning, {@code ×} failed, {@code ~} skipped) with indented hints under the
 * ones that did not pass, and a last line saying whether all passed. Lines are printed as checks finish,
 * so a slow API server shows where it is stuck.
 */
public final class CheckReport {

    public enum Outcome {
        PASS("√"), WARN("‼"), FAIL("×"), SKIP("~");

        final String mark;

        Outcome(String mark) {
            this.mark = mark;
        }
    }

    public record Result(Outcome outcome, String check, List<String> hints) {}

    private final PrintWriter out;
    private final List<Result> results = new ArrayList<>();
    private boolean firstGroup = true;

    public CheckReport(PrintWriter out) {
        this.out = out;
    }

    /**
     * The {@code kubernetes-api} group: a client from the global options, and one query through it.
     *
     * @return the client, for the caller to close; empty, with the failure reported, when either step failed
     */
    public Optional<io.fabric8.kubernetes.client.KubernetesClient> kubernetesApi(
            KubeOptions kube, String groupSuffix) {
        group("kubernetes-api" + groupSuffix);
        KubernetesClient client;
        try {
            client = kube.client();
        } catch (UserException e) {
            fail("can initialize the client", e.getMessage());
            return Optional.empty();
        }
        pass("can initialize the client");
        try {
            client.getKubernetesVersion();
        } catch (KubernetesClientException e) {
            fail("can query the Kubernetes API", KubeErrors.describe(e,
                    client.getConfiguration().getMasterUrl(), "query the API"));
            client.close();
            return Optional.empty();
        }
        pass("can query the Kubernetes API");
        return Optional.of(client);
    }

    public void group(String name) {
        if (!firstGroup) {
            out.println();
        }
        firstGroup = false;
        out.println(name);
        out.println("-".repeat(name.length()));
        out.flush();
    }

    public void pass(String check) {
        record(Outcome.PASS, check, List.of());
    }

    public void warn(String check, String... hints) {
        record(Outcome.WARN, check, List.of(hints));
    }

    public void fail(String check, String... hints) {
        record(Outcome.FAIL, check, List.of(hints));
    }

    public void skip(String check, String... hints) {
        record(Outcome.SKIP, check, List.of(hints));
    }

    public void record(Outcome outcome, String check, List<String> hints) {
        results.add(new Result(outcome, check, hints));
        out.println(outcome.mark + " " + check);
        for (String hint : hints) {
            for (String line : hint.split("\n")) {
                out.println("    " + line);
            }
        }
        out.flush();
    }

    public List<Result> results() {
        return List.copyOf(results);
    }

    public boolean failed() {
        return results.stream().anyMatch(r -> r.outcome() == Outcome.FAIL);
    }

    /** Prints the verdict; the exit code is 1 when a check failed, 0 otherwise (warnings included). */
    public int finish() {
        out.println();
        out.println("Status check results are " + (failed() ? Outcome.FAIL.mark : Outcome.PASS.mark));
        out.flush();
        return failed() ? 1 : 0;
    }
}
