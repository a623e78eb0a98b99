package dev.isthmus.gateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.ClientProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.TailWatch;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.testing.TestPki;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * h2spec, the HTTP/2 conformance suite, in full against every HTTP/2 surface of a real gateway pair
 * with a real backend behind it (issue 10): west's h2c outbound listeners (routes whose Service port
 * declares {@code appProtocol: kubernetes.io/h2c}), for a remote service and for a local one, and east's
 * HTTP/2 session, reached over mTLS through {@link MtlsAdapter} because
 * h2spec can present neither a client certificate nor a transport header.
 */
@ExtendWith(TailWatch.class)
class H2specIT {

    static final String SERVICE = "podinfo.test.svc.cluster.local";
    static final String LOCAL = "frontend.test.svc.cluster.local";

    static Path h2spec;
    static TestBackend eastBackend;
    static TestBackend westBackend;
    static GatewayHarness east;
    static GatewayHarness west;
    static MtlsAdapter adapter;
    static int remotePort;
    static int localPort;

    @BeforeAll
    static void start() throws Exception {
        h2spec = H2spec.assumeAvailable();
        TestPki pki = TestPki.create();
        // h2spec sends header blocks of up to 8 KB (two 4000-byte fields); podinfo, a Go server, takes 1 MiB.
        HttpDecoderConfig podinfoLimits = new HttpDecoderConfig().setMaxHeaderSize(1024 * 1024);
        eastBackend = new TestBackend(BackendProtocol.HTTP1, podinfoLimits);
        westBackend = new TestBackend(BackendProtocol.HTTP1, podinfoLimits);
        east = new GatewayHarness(pki, new RouteTable("cluster.local", List.of(exported(SERVICE, eastBackend.port()))), settings -> settings.requestTimeout(Duration.ofSeconds(20)));
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            remotePort = a.getLocalPort();
            localPort = b.getLocalPort();
        }
        RemoteTarget remote = new RemoteTarget("east", List.of(new Endpoint("127.0.0.1", east.port(), true)), TestPki.GATEWAY,
                SERVICE, 80);
        west = new GatewayHarness(pki, new RouteTable("cluster.local", List.of(), List.of(
                        // West's h2c listeners: routes whose Service port declares appProtocol kubernetes.io/h2c.
                        OutboundRoute.mirror(remotePort, "podinfo-east", remote, ClientProtocol.H2C),
                        new OutboundRoute(localPort, "frontend", List.of(
                                new OutboundRoute.WeightedBackend(exported(LOCAL, westBackend.port()), 100)), ClientProtocol.H2C))),
                // West's own name, so that east's loop detection does not take west's requests for its own.
                settings -> settings.identity(TestPki.PEER).outboundHost("127.0.0.1").requestTimeout(Duration.ofSeconds(20)));
        adapter = new MtlsAdapter(east.port(), pki.leaf(TestPki.PEER), pki, new TransportHeader(SERVICE, 80, SessionProtocol.HTTP2));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable part : new AutoCloseable[] {adapter, west, east, eastBackend, westBackend}) {
            if (part != null) {
                part.close();
            }
        }
    }

    static ExportedService exported(String name, int backendPort) {
        return new ExportedService(name, 80, BackendProtocol.HTTP1, List.of(new Endpoint("127.0.0.1", backendPort, true)));
    }

    @Test
    void westsH2cListenerForARemoteServicePassesH2specInFull(@TempDir Path dir) throws Exception {
        assertPassesInFull(H2spec.run(h2spec, remotePort, dir.resolve("west-remote.xml")), "west's listener for a remote service");
    }

    @Test
    void westsH2cListenerForALocalServicePassesH2specInFull(@TempDir Path dir) throws Exception {
        assertPassesInFull(H2spec.run(h2spec, localPort, dir.resolve("west-local.xml")), "west's listener for a local service");
    }

    @Test
    void eastsHttp2SessionOverMtlsPassesH2specInFull(@TempDir Path dir) throws Exception {
        assertPassesInFull(H2spec.run(h2spec, adapter.port(), dir.resolve("east.xml")), "east's HTTP/2 session");
    }

    private static void assertPassesInFull(H2spec.Result result, String surface) {
        System.out.println("h2spec against " + surface + ": " + result.passed() + " of " + result.cases() + " passed"
                + (result.failed().isEmpty() ? "" : "; failed:\n  " + String.join("\n  ", result.failed())));
        List<String> failed = result.failed();
        assertThat(failed)
                .as("h2spec against %s: %d of %d passed; failed:%n%s", surface, result.passed(), result.cases(),
                        String.join("\n", failed))
                .isEmpty();
        assertThat(result.cases()).as("h2spec cases run against %s", surface).isEqualTo(145);
    }
}
