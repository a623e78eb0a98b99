package dev.isthmus.gateway.transport;


/**
 * The transport-header target a gateway answers itself: {@code probe.isthmus.gateway:4191}. The name lies
 * outside every {@code svc.<cluster-domain>}, so no exported service can ever take it; the port is the
 * admin port's, as Linkerd's probe uses. It is reached like any service, after the mTLS handshake and the
 * policy, so a probe answered proves the whole path a request would take.
 */
public final class ProbeTarget {

    public static final String NAME = "probe.isthmus.gateway";
    public static final int PORT = 4191;
    /** Answered 200 while the gateway takes connections; the prober asks this one. */
    public static final String READY = "/ready";
    public static final String LIVE = "/live";

    private ProbeTarget() {}

    /** True when {@code header} names the probe target, with or without the trailing dot of a fully-qualified name. */
    public static boolean matches(TransportHeader header) {
        String name = header.name();
        // DNS names are case-insensitive (RFC 4343).
        return header.port() == PORT && (name.equalsIgnoreCase(NAME) || name.equalsIgnoreCase(NAME + "."));
    }

    public static TransportHeader header(SessionProtocol protocol) {
        return new TransportHeader(NAME, PORT, protocol);
    }

    /** True for the paths the probe target answers 200: {@value #READY} and {@value #LIVE}, a query ignored. */
    public static boolean answers(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        return path.equals(READY) || path.equals(LIVE);
    }
}
