package dev.isthmus.gateway.outbound;

import dev.isthmus.gateway.http.ClientSide;
import dev.isthmus.gateway.http.Exchange;
import dev.isthmus.gateway.http.Forwarder;
import dev.isthmus.gateway.http.Responder;
import dev.isthmus.gateway.routing.Backend;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Answers the requests of one outbound client connection, each on its own: the route of the moment,
 * a backend picked by weight among those that can take traffic, then either the local path or a
 * stream of a pooled HTTP/2 connection to the remote gateway, with the authority rewritten to the
 * remote service's {@code fqdn:port}.
 */
final class RouteResponder implements Responder {

    private final int port;
    private final OutboundSessions sessions;
    private final Forwarder forwarder;
    private final EventLoop loop;
    /** The remote target of the connection's latest request and its authority: a client's requests nearly always name one. */
    private RemoteTarget lastRemote;
    private String lastAuthority;

    /** @param loop the client connection's event loop, which its HTTP/2 streams share */
    RouteResponder(int port, OutboundSessions sessions, Forwarder forwarder, EventLoop loop) {
        this.port = port;
        this.sessions = sessions;
        this.forwarder = forwarder;
        this.loop = loop;
    }

    @Override
    public Exchange exchange(ClientSide inbound, HttpRequest request) {
        OutboundRoute route = sessions.route(port);
        if (route == null) {
            return Forwarder.reply(inbound, request, 503, "no outbound route listens on port " + port + " any more");
        }
        Exchange loopRefusal = forwarder.refuseLoop(inbound, request);
        if (loopRefusal != null) {
            return loopRefusal;
        }
        Backend backend = sessions.choose(route);
        if (backend == null) {
            return Forwarder.reply(inbound, request, 503,
                    BackendChoice.whyNone(route.name(), route.backends(), sessions.health()));
        }
        if (backend instanceof RemoteTarget remote) {
            Endpoint gateway = sessions.gatewayFor(remote);
            return forwarder.forward(inbound, request, authority(remote), new RemoteDestination(remote, gateway),
                    sessions.pool(loop, remote, gateway));
        }
        return sessions.localService((ExportedService) backend, forwarder).exchange(inbound, request);
    }

    /** The remote service's {@code fqdn:port}, made once per target rather than once per request. */
    private String authority(RemoteTarget remote) {
        if (remote != lastRemote) {
            lastAuthority = remote.target();
            lastRemote = remote;
        }
        return lastAuthority;
    }
}
