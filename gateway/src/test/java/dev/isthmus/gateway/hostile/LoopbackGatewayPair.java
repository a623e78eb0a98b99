package dev.isthmus.gateway.hostile;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.isthmus.gateway.Gateway;
import dev.isthmus.gateway.config.GatewayConfig;
import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.probe.ProbeSettings;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.ClientProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.LinkHealth;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RemoteTarget;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.EchoServer;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.testing.TestPki;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.awaitility.Awaitility;

/**
 * An east and a west gateway on loopback, each with its own registry, for the hostile-client matrix of the
 * protocol and resource cases: east exports an HTTP/1.1, an h2c and an opaque (echo) backend; west has
 * outbound listeners for them, some detecting the clients' protocol and some with it declared. Nothing in
 * it is shared between test classes: each makes its own.
 */
final class LoopbackGatewayPair implements AutoCloseable {

    static final String H1 = "h1.test.svc.cluster.local";
    static final String H2C = "h2c.test.svc.cluster.local";
    static final String ECHO = "echo.test.svc.cluster.local";
    static final SpiffeId EAST_ID = TestPki.GATEWAY;
    /** West's own identity, so that east's loop check does not take west's Forwarded element for its own. */
    static final SpiffeId WEST_ID = TestPki.PEER;

    final TestPki pki = TestPki.create();
    final MtlsClient peers = new MtlsClient();
    final TestBackend h1;
    final TestBackend h2c;
    final EchoServer echo;
    final Side east;
    final Side west;
    /** West's listeners: to h1, detected; to h1, declared HTTP; to h2c, detected; to echo, detected; to echo, declared opaque. */
    final int h1Port;
    final int h1HttpPort;
    final int h2cPort;
    final int echoPort;
    final int echoOpaquePort;

    /** One gateway and its registry. */
    static final class Side implements AutoCloseable {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final Gateway gateway;

        Side(TestPki pki, SpiffeId identity, RouteTable routes, Consumer<GatewayConfig.Builder> settings) throws InterruptedException {
            GatewayConfig.Builder builder = GatewayConfig.builder()
                    .inbound("127.0.0.1", 0)
                    .admin("127.0.0.1", 0)
                    .outboundHost("127.0.0.1")
                    .identity(identity)
                    .ioThreads(2)
                    .connectTimeout(Duration.ofSeconds(2))
                    .requestTimeout(Duration.ofSeconds(20))
                    .drainTimeout(Duration.ofSeconds(1))
                    // No probe traffic in the counts: link health is a constant here.
                    .probe(new ProbeSettings(Duration.ofHours(1), Duration.ofSeconds(2), 3, 0.1, "/ready"));
            settings.accept(builder);
            gateway = new Gateway(builder.build(), registry, Clock.systemUTC());
            gateway.tls().update(pki.leaf(identity), pki.anchors());
            gateway.routes(routes);
            gateway.linkHealth(LinkHealth.ALWAYS_ALIVE);
            gateway.start();
        }

        double count(String name, String... tags) {
            Counter counter = registry.find(name).tags(tags).counter();
            return counter == null ? 0 : counter.count();
        }

        double gauge(String name) {
            Gauge gauge = registry.find(name).gauge();
            return gauge == null ? 0 : gauge.value();
        }

        /** Waits (bounded) until the counter reaches {@code expected}: metrics are counted on the gateway's threads. */
        double awaitCount(double expected, String name, String... tags) throws InterruptedException {
            return Awaitility.await(name + " " + String.join(",", tags) + " reaches " + expected)
                    .atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> count(name, tags), now -> now >= expected);
        }

        /** Waits (bounded) until the gauge shows {@code expected}. */
        double awaitGauge(double expected, String name) throws InterruptedException {
            return Awaitility.await(name + " shows " + expected)
                    .atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> gauge(name), now -> now == expected);
        }

        @Override
        public void close() {
            gateway.close();
            registry.close();
        }
    }

    /** @param settings applied to both gateways' configuration */
    LoopbackGatewayPair(Consumer<GatewayConfig.Builder> settings) throws Exception {
        h1 = new TestBackend(BackendProtocol.HTTP1);
        h2c = new TestBackend(BackendProtocol.H2C);
        echo = new EchoServer();
        east = new Side(pki, EAST_ID, new RouteTable("cluster.local", List.of(
                exported(H1, 80, BackendProtocol.HTTP1, h1.port()),
                exported(H2C, 80, BackendProtocol.H2C, h2c.port()),
                exported(ECHO, 7, BackendProtocol.OPAQUE, echo.port()))), settings);
        int[] ports = freePorts(5);
        h1Port = ports[0];
        h1HttpPort = ports[1];
        h2cPort = ports[2];
        echoPort = ports[3];
        echoOpaquePort = ports[4];
        west = new Side(pki, WEST_ID, new RouteTable("cluster.local", List.of(), List.of(
                OutboundRoute.mirror(h1Port, "h1-east", remote(H1, 80)),
                OutboundRoute.mirror(h1HttpPort, "h1-east-http", remote(H1, 80), ClientProtocol.HTTP),
                OutboundRoute.mirror(h2cPort, "h2c-east", remote(H2C, 80)),
                OutboundRoute.mirror(echoPort, "echo-east", remote(ECHO, 7)),
                OutboundRoute.mirror(echoOpaquePort, "echo-east-opaque", remote(ECHO, 7), ClientProtocol.OPAQUE))), settings);
    }

    /** A further west gateway in front of this pair's east, with its own settings, on one declared-HTTP listener. */
    Side anotherWest(int port, Consumer<GatewayConfig.Builder> settings) throws InterruptedException {
        return new Side(pki, WEST_ID, new RouteTable("cluster.local", List.of(), List.of(
                OutboundRoute.mirror(port, "h1-east-limited", remote(H1, 80), ClientProtocol.HTTP))), settings);
    }

    RemoteTarget remote(String service, int port) {
        return new RemoteTarget("east", List.of(new Endpoint("127.0.0.1", east.gateway.inboundPort(), true)), EAST_ID, service, port);
    }

    static ExportedService exported(String name, int port, BackendProtocol protocol, int backendPort) {
        return new ExportedService(name, port, protocol, List.of(new Endpoint("127.0.0.1", backendPort, true)));
    }

    static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close(); // closed again at once: the gateway binds them
            }
        }
    }

    /** A peer gateway's session on east: mTLS, the transport header, then whatever raw bytes the test writes. */
    Channel eastSession(String service, int port, SessionProtocol protocol) throws Exception {
        return peers.session(east.gateway.inboundPort(), pki.leaf(WEST_ID), pki, new TransportHeader(service, port, protocol));
    }

    static void write(Channel session, String text) {
        session.writeAndFlush(Unpooled.copiedBuffer(text, ISO_8859_1)).syncUninterruptibly();
    }

    /** What the session received until east closed it (bounded), as text. */
    static String receivedUntilClose(Channel session) throws InterruptedException {
        MtlsClient.Collector collector = MtlsClient.Collector.of(session);
        MtlsClient.Collector.awaitClose(session, 15);
        return new String(collector.received(), ISO_8859_1);
    }

    @Override
    public void close() {
        for (AutoCloseable part : new AutoCloseable[] {west, east, peers, h1, h2c, echo}) {
            try {
                part.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A plain client of a west listener, on a socket: raw bytes out, raw bytes back. */
    static final class RawClient implements AutoCloseable {
        final Socket socket;
        final InputStream in;

        RawClient(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(15_000);
            in = socket.getInputStream();
        }

        RawClient send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(ISO_8859_1));
            socket.getOutputStream().flush();
            return this;
        }

        RawClient send(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        }

        /** Everything until the gateway ends the connection (or 15 s pass, which fails on the caller's assertion). */
        String readToEnd() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    all.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                all.writeBytes("<still open>".getBytes(ISO_8859_1));
            } catch (IOException reset) {
                all.writeBytes("<reset>".getBytes(ISO_8859_1));
            }
            return all.toString(ISO_8859_1);
        }

        /** One response with a Content-Length body, read off a connection that stays open. */
        String readResponse() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b == -1) {
                    throw new IOException("the gateway closed the connection after: " + head.toString(ISO_8859_1));
                }
                head.write(b);
            }
            String text = head.toString(ISO_8859_1);
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            return text + new String(in.readNBytes(length), ISO_8859_1);
        }

        /** True when the gateway ended the connection: the next read finds its end (or a reset). */
        boolean endedByGateway() throws IOException {
            try {
                return in.read() == -1;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
