package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandler;

/**
 * What the connections of one kind of session have in common: who answers their requests, how the
 * requests are counted, and the handler each HTTP/2 stream starts with. None of it keeps state of a
 * connection or a request, so the connections of one peer to one service share one instance (see
 * {@link HttpSessionInstaller}), and an idle connection holds no copy of its own.
 */
final class SessionParts {

    final Responder responder;
    final RequestMetrics requests;
    /** Sharable: it gives each stream its own proxy handler ({@link Http2StreamStart}). */
    final ChannelHandler streams;

    SessionParts(Responder responder, RequestMetrics requests) {
        this.responder = requireNonNull(responder, "responder");
        this.requests = requireNonNull(requests, "requests");
        this.streams = new Http2StreamStart(responder, requests);
    }
}
