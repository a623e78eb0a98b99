package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.HttpRequest;

/** Decides how a session answers a request: proxied to a service or a peer gateway, or refused. Called on the session's event loop. */
public interface Responder {

    /** The exchange that will answer {@code request}; not started yet. */
    Exchange exchange(ClientSide inbound, HttpRequest request);
}
