package dev.isthmus.cli.kube;

import dev.isthmus.cli.UserException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Turns a failed API call into a message that says which server, what was tried, and what to check. */
public final class KubeErrors {

    private KubeErrors() {}

    /** @param what what was being done, as "list the gateway pods in isthmus-multicluster" */
    public static UserException explain(KubernetesClientException e, KubernetesClient client, String what) {
        String server = client.getConfiguration().getMasterUrl();
        return new UserException(describe(e, server, what));
    }

    public static String describe(KubernetesClientException e, String server, String what) {
        String status = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        if (unreachable(e)) {
            return "cannot " + what + ": the API server at " + server + " is unreachable: " + rootCause(e)
                    + " (check that the cluster is running, that the kubeconfig's server address is right, and --context)";
        }
        return switch (e.getCode()) {
            case 401 -> "cannot " + what + ": the API server at " + server + " rejected the credentials (401)"
                    + " (check the kubeconfig's user: an expired token or certificate?)";
            case 403 -> "cannot " + what + ": forbidden at " + server + ": " + status
                    + " (expected: a user with the rights to do it)";
            case 404 -> "cannot " + what + ": not found at " + server + ": " + status;
            default -> "cannot " + what + " at " + server + ": HTTP " + e.getCode() + ": " + status;
        };
    }

    /** Whether the API server could not be reached at all, as opposed to answering with an error. */
    public static boolean unreachable(KubernetesClientException e) {
        return e.getCode() <= 0;
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host " + cause.getMessage();
        }
        if (cause instanceof SSLException) {
            return "TLS failed: " + cause.getMessage();
        }
        if (cause instanceof TimeoutException || cause instanceof java.net.SocketTimeoutException
                || cause instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        if (cause instanceof IOException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        return cause.toString();
    }
}
