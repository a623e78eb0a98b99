package dev.isthmus.gateway.pipeline;

import dev.isthmus.identity.SpiffeId;
import io.netty.util.AttributeKey;

/** What the handshake established about a connection, for the handlers after it. */
public final class PeerAttributes {
    /** The authenticated and authorized peer. */
    public static final AttributeKey<SpiffeId> PEER = AttributeKey.valueOf("isthmus.peer");

    private PeerAttributes() {}
}
