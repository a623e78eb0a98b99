package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.HttpRequest;

/** Answers every request of a session with the same status, without contacting anything. */
final class Refusal implements Responder {

    private final int status;
    private final String reason;

    Refusal(int status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    @Override
    public Exchange exchange(ClientSide inbound, HttpRequest request) {
        return new LocalReply(inbound, request, status, reason);
    }
}
