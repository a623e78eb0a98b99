package dev.isthmus.gateway.routing;

/**
 * What the clients of an outbound listener speak, where the route says so: from the mirrored Service's
 * protocol annotation or its port's {@code appProtocol} (the annotation wins), as Linkerd's opaque ports
 * do. A declared protocol is never second-guessed from the client's bytes.
 */
public enum ClientProtocol {
    /** Nothing declared: the gateway tells from the client's first bytes (see the README's detection rule). */
    DETECT,
    /** HTTP: an HTTP/2 prior-knowledge preface, else HTTP/1.x; bytes that are not a valid request get a 400, never a tunnel. */
    HTTP,
    /**
     * HTTP/2 with prior knowledge ({@code appProtocol: kubernetes.io/h2c}): the client's first bytes must be the
     * connection preface, and anything else gets GOAWAY PROTOCOL_ERROR (RFC 9113 §3.4), never an HTTP/1 answer.
     */
    H2C,
    /** Not HTTP: bytes are relayed as they come, without waiting for them to say anything. */
    OPAQUE;

    /** The clients' protocol when a service's backends speak {@code protocol}, as declared. */
    public static ClientProtocol of(BackendProtocol protocol) {
        return switch (protocol) {
            case OPAQUE -> OPAQUE;
            case H2C -> H2C;
            default -> HTTP;
        };
    }
}
