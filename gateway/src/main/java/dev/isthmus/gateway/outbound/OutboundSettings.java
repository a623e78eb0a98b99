package dev.isthmus.gateway.outbound;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.http.GatewayId;
import java.time.Duration;

/**
 * The part of the gateway's configuration the outbound side uses, handed down by the composition root
 * so that outbound never reads the whole configuration (nor imports the package that holds it).
 *
 * @param id the gateway installation's id, the {@code Forwarded: by=} that loop detection looks for
 * @param detectTimeout how long a client has to send the first bytes that tell its protocol
 * @param requestTimeout how long a request may take end to end
 * @param requestHeaderTimeout how long a client has for each request head
 */
public record OutboundSettings(GatewayId id, Duration detectTimeout, Duration requestTimeout, Duration requestHeaderTimeout) {

    public OutboundSettings {
        requireNonNull(id, "id");
        requireNonNull(detectTimeout, "detectTimeout");
        requireNonNull(requestTimeout, "requestTimeout");
        requireNonNull(requestHeaderTimeout, "requestHeaderTimeout");
    }
}
