package dev.isthmus.gateway.http;

import static java.util.Objects.requireNonNull;

/**
 * What the connections of one kind of session have in common: who answers their requests, and how the requests are
 * counted. None of it keeps state of a connection or a request, so the connections of one peer to one service share one
 * instance (see {@link HttpSessionInstaller}), and an idle connection holds no copy of its own.
 */
final class SessionParts {

    final Responder responder;
    final RequestMetrics requests;

    SessionParts(Responder responder, RequestMetrics requests) {
        this.responder = requireNonNull(responder, "responder");
        this.requests = requireNonNull(requests, "requests");
    }
}
