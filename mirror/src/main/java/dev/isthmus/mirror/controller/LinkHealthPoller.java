package dev.isthmus.mirror.controller;

import dev.isthmus.mirror.desired.Gateways;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks the local gateways ({@code GET /links} on their admin port) whether this link is alive. The
 * gateways probe the remote gateway over the real mTLS path; the controller only reads their verdict.
 */
final class LinkHealthPoller {

    private static final Logger LOG = Logger.getLogger(LinkHealthPoller.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final String link;
    private final URI override;
    private final Supplier<Collection<EndpointSlice>> gatewaySlices;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    LinkHealthPoller(String link, URI override, Supplier<Collection<EndpointSlice>> gatewaySlices) {
        this.link = link;
        this.override = override;
        this.gatewaySlices = gatewaySlices;
    }

    /** The combined answer, or empty when no gateway answered (the caller keeps what it knew). */
    Optional<LinkHealth> poll() {
        List<URI> urls = override != null ? List.of(linksUrl(override)) : Gateways.adminLinksUrls(gatewaySlices.get());
        List<Optional<LinkHealth>> answers = new ArrayList<>();
        for (URI url : urls) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    LOG.fine(url + " answered HTTP " + response.statusCode() + " (expected: 200)");
                    continue;
                }
                answers.add(LinkHealth.parse(response.body(), link));
            } catch (IOException | IllegalArgumentException e) {
                LOG.log(Level.FINE, "cannot read link health from " + url + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return LinkHealth.combine(answers);
    }

    /** {@code --gateway-admin-url} may name the admin server or its {@code /links} page. */
    static URI linksUrl(URI admin) {
        String path = admin.getPath() == null ? "" : admin.getPath();
        return path.endsWith("/links") ? admin : admin.resolve(path.endsWith("/") ? "links" : path + "/links");
    }
}
