package dev.isthmus.cli.stat;

import dev.isthmus.cli.UserException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Where one gateway's {@code /metrics} is read from: its admin URL, or its pod through the API server. */
public interface MetricsSource {

    Duration TIMEOUT = Duration.ofSeconds(5);

    /** Names the gateway in the output and in errors. */
    String name();

    /**
     * The body of {@code /metrics}.
     *
     * @throws UserException saying what failed and what to check
     */
    String scrape();

    /** {@code --gateway-admin http://host:4191}: the admin port directly, {@code /metrics} added when no path is given. */
    static MetricsSource adminUrl(String url, HttpClient http) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new UserException("--gateway-admin " + url + ": not an http URL (expected: http://<host>:<admin port>, e.g. http://127.0.0.1:4191)");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
            throw new UserException("--gateway-admin " + url + ": not an http URL (expected: http://<host>:<admin port>, e.g. http://127.0.0.1:4191)");
        }
        URI metrics = uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/") ? uri.resolve("/metrics") : uri;
        return new MetricsSource() {
            @Override
            public String name() {
                return metrics.toString();
            }

            @Override
            public String scrape() {
                java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(metrics).timeout(TIMEOUT)
                        .header("Accept", "text/plain;version=0.0.4").build();
                java.net.http.HttpResponse<String> response;
                try {
                    response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (HttpConnectTimeoutException | ConnectException e) {
                    throw new UserException("cannot scrape " + metrics + ": " + (e instanceof ConnectException ? "connection refused"
                            : "no answer to connect") + " (is the gateway running, and is its admin port reachable from here?)");
                } catch (HttpTimeoutException e) {
                    throw new UserException("cannot scrape " + metrics + ": no answer within " + TIMEOUT.toSeconds()
                            + " s (is this the gateway's admin port, 4191?)");
                } catch (IOException e) {
                    throw new UserException("cannot scrape " + metrics + ": " + e.getMessage()
                            + " (is this the gateway's admin port, 4191, speaking plain HTTP?)");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UserException("interrupted while scraping " + metrics);
                }
                return checked(name(), response.statusCode(), response.body());
            }
        };
    }

    /**
     * A gateway pod's admin port through the API server's pod proxy
     * ({@code /api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy/metrics}): works from anywhere kubectl does, with
     * the user's own rights ({@code get pods/proxy}).
     */
    static MetricsSource podProxy(KubernetesClient client, String namespace, String pod, int port) {
        String path = "api/v1/namespaces/" + namespace + "/pods/" + pod + ":" + port + "/proxy/metrics";
        String master = client.getConfiguration().getMasterUrl();
        String url = (master.endsWith("/") ? master : master + "/") + path;
        return new MetricsSource() {
            @Override
            public String name() {
                return "pod " + namespace + "/" + pod;
            }

            @Override
            public String scrape() {
                HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                        .timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).build();
                HttpResponse<String> response;
                try {
                    response = client.getHttpClient().sendAsync(request, String.class)
                            .get(TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    throw new UserException("cannot scrape " + name() + " through the API server at " + master + ": " + cause
                            + " (is the API server reachable? try kubectl get --raw /" + path + ")");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UserException("interrupted while scraping " + name());
                }
                if (response.code() == 403) {
                    throw new UserException("cannot scrape " + name() + ": the API server refused (403): your user may not get"
                            + " pods/proxy in " + namespace + " (expected: RBAC allowing get on pods/proxy)");
                }
                return checked(name(), response.code(), response.body());
            }
        };
    }

    private static String checked(String name, int status, String body) {
        if (status != 200) {
            String firstLine = body == null ? "" : body.strip().lines().findFirst().orElse("");
            throw new UserException("cannot scrape " + name + ": HTTP " + status + (firstLine.isEmpty() ? "" : " " + firstLine)
                    + " (expected 200 with the gateway's metrics)");
        }
        return body;
    }
}
