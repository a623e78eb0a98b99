package dev.isthmus.cli.tap;

import dev.isthmus.cli.UserException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Where one gateway's {@code GET /tap} is read from: its admin URL, or its pod through the API server's pod proxy. */
public interface TapSource {

    Duration TIMEOUT = Duration.ofSeconds(5);

    /** Names the gateway in the output and in errors. */
    String name();

    /**
     * Starts the stream and returns once the gateway answered, that is, once it watches: requests from
     * then on are seen. Lines go to {@code splitter} on a thread of the source's; {@code ended} runs once
     * when the stream ends for any reason.
     *
     * @param query the query of {@code /tap}, already encoded, without {@code ?}
     * @throws UserException saying what failed and what to check
     */
    AutoCloseable open(String query, LineSplitter splitter, Runnable ended);

    /** {@code --gateway-admin http://host:4191}: the admin port directly. */
    static TapSource adminUrl(String url, HttpClient http) {
        URI base;
        try {
            base = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new UserException("--gateway-admin " + url + ": not an http URL (expected: http://<host>:<admin port>, e.g. http://127.0.0.1:4191)");
        }
        if (base.getScheme() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https")) || base.getHost() == null) {
            throw new UserException("--gateway-admin " + url + ": not an http URL (expected: http://<host>:<admin port>, e.g. http://127.0.0.1:4191)");
        }
        String root = base.getScheme() + "://" + base.getRawAuthority();
        return new TapSource() {
            @Override
            public String name() {
                return root;
            }

            @Override
            public AutoCloseable open(String query, LineSplitter splitter, Runnable ended) {
                URI tap = URI.create(root + "/tap" + (query.isEmpty() ? "" : "?" + query));
                java.net.http.HttpResponse<InputStream> response;
                try {
                    response = http.send(java.net.http.HttpRequest.newBuilder(tap).header("Accept", "application/x-ndjson").build(),
                            java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                } catch (HttpConnectTimeoutException | ConnectException e) {
                    throw new UserException("cannot tap " + root + ": " + (e instanceof ConnectException ? "connection refused"
                            : "no answer to connect") + " (is the gateway running, and is its admin port reachable from here?)");
                } catch (IOException e) {
                    throw new UserException("cannot tap " + root + ": " + e.getMessage()
                            + " (is this the gateway's admin port, 4191, speaking plain HTTP?)");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UserException("interrupted while opening the tap of " + root);
                }
                InputStream body = response.body();
                if (response.statusCode() != 200) {
                    String text;
                    try (body) {
                        text = new String(body.readNBytes(1024), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        text = "";
                    }
                    throw refused(root, response.statusCode(), text);
                }
                Thread reader = new Thread(() -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (body) {
                        for (int n; (n = body.read(buffer)) >= 0; ) {
                            splitter.accept(buffer, n);
                        }
                    } catch (IOException closed) {
                        // closed by us, or the gateway went away: the stream ends either way
                    } finally {
                        ended.run();
                    }
                }, "isthmus-tap " + root);
                reader.setDaemon(true);
                reader.start();
                return () -> {
                    body.close();
                    reader.join(TIMEOUT.toMillis());
                };
            }
        };
    }

    /**
     * A gateway pod's admin port through the API server's pod proxy
     * ({@code /api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy/tap}), with the user's own rights ({@code get pods/proxy}).
     */
    static TapSource podProxy(KubernetesClient client, String namespace, String pod, int port) {
        String path = "api/v1/namespaces/" + namespace + "/pods/" + pod + ":" + port + "/proxy/tap";
        String master = client.getConfiguration().getMasterUrl();
        String name = "pod " + namespace + "/" + pod;
        return new TapSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AutoCloseable open(String query, LineSplitter splitter, Runnable ended) {
                String url = (master.endsWith("/") ? master : master + "/") + path + (query.isEmpty() ? "" : "?" + query);
                HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url).build();
                HttpResponse<AsyncBody> response;
                try {
                    response = client.getHttpClient().consumeBytes(request, (List<ByteBuffer> chunks, AsyncBody body) -> {
                        chunks.forEach(splitter::accept);
                        body.consume();
                    }).get(TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    throw new UserException("cannot tap " + name + " through the API server at " + master + ": " + cause
                            + " (is the API server reachable? try kubectl get --raw /" + path + "?limit=1)");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UserException("interrupted while opening the tap of " + name);
                }
                AsyncBody body = response.body();
                if (response.code() != 200) {
                    body.cancel();
                    if (response.code() == 403) {
                        throw new UserException("cannot tap " + name + ": the API server refused (403): your user may not get"
                                + " pods/proxy in " + namespace + " (expected: RBAC allowing get on pods/proxy)");
                    }
                    throw refused(name, response.code(), "");
                }
                body.done().whenComplete((done, failure) -> ended.run());
                body.consume();
                return body::cancel;
            }
        };
    }

    private static UserException refused(String name, int status, String body) {
        String firstLine = body.strip().lines().findFirst().orElse("");
        return new UserException("cannot tap " + name + ": HTTP " + status + (firstLine.isEmpty() ? "" : " " + firstLine)
                + (status == 404 ? " (expected: a gateway that serves /tap; is it older than this CLI?)" : ""));
    }
}
