package dev.isthmus.gateway.hostile;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.http.TestBackend;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.Endpoint;
import dev.isthmus.gateway.routing.ExportedService;
import dev.isthmus.gateway.routing.OutboundRoute;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.testing.MtlsClient.Collector;
import dev.isthmus.gateway.testing.TailWatch;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.testing.TestPki;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile bytes on the gateway's HTTP/2 sessions, east's over mTLS and west's h2c listener, answered
 * on the wire as RFC 9113 asks, with nothing of the gateway's insides in the answer, and with no
 * exception left to reach a pipeline's tail ({@link TailWatch}): issue 10, item 9.
 */
@ExtendWith(TailWatch.class)
class Http2SessionIT {

    static final String SERVICE = "podinfo.test.svc.cluster.local";
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(US_ASCII);
    static final int GOAWAY = 7;
    static final long PROTOCOL_ERROR = 1;

    static TestPki pki;
    static TestBackend backend;
    static GatewayHarness gateway;
    static MtlsClient client;
    static int listenerPort;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        backend = new TestBackend(BackendProtocol.HTTP1);
        try (ServerSocket free = new ServerSocket(0)) {
            listenerPort = free.getLocalPort();
        }
        ExportedService service = new ExportedService(SERVICE, 80, BackendProtocol.HTTP1,
                List.of(new Endpoint("127.0.0.1", backend.port(), true)));
        gateway = new GatewayHarness(pki, new RouteTable("cluster.local", List.of(service), List.of(
                        new OutboundRoute(listenerPort, "podinfo", List.of(new OutboundRoute.WeightedBackend(service, 100))))), settings -> settings.outboundHost("127.0.0.1"));
        client = new MtlsClient();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable part : new AutoCloseable[] {client, gateway, backend}) {
            if (part != null) {
                part.close();
            }
        }
    }

    @Test
    void http1BytesOnEastsHttp2SessionGetGoAwayProtocolErrorWithoutInternals() throws Exception {
        Channel session = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
        // The header and the request in one write, so that they arrive in one read: the case that made Netty's
        // own preface check fail with an IndexOutOfBoundsException.
        ByteBuf bytes = new TransportHeader(SERVICE, 80, SessionProtocol.HTTP2).encode(session.alloc());
        bytes.writeBytes("GET / HTTP/1.1\r\nHost: podinfo\r\n\r\n".getBytes(US_ASCII));
        session.writeAndFlush(bytes).sync();

        assertThat(Collector.awaitClose(session, 10)).as("closed by the gateway").isTrue();
        Frame goAway = onlyGoAway(frames(Collector.of(session).received()));
        assertThat(goAway.errorCode()).as("GOAWAY error code").isEqualTo(PROTOCOL_ERROR);
        assertThat(goAway.debugText()).isEqualTo("invalid connection preface");
        assertThat(backend.seen).isEmpty();
    }

    @Test
    void aConnectionErrorOnEastsHttp2SessionIsAnsweredWithItsCodeAndNoDebugText() throws Exception {
        Channel session = client.connect(gateway.port(), pki.leaf(TestPki.PEER), pki, new Collector());
        ByteBuf bytes = new TransportHeader(SERVICE, 80, SessionProtocol.HTTP2).encode(session.alloc());
        bytes.writeBytes(PREFACE);
        bytes.writeBytes(frame(4, 0, 0, new byte[0])); // SETTINGS
        bytes.writeBytes(frame(0, 1, 0, "x".getBytes(US_ASCII))); // DATA on stream 0: PROTOCOL_ERROR (RFC 9113 §6.1)
        session.writeAndFlush(bytes).sync();

        assertThat(Collector.awaitClose(session, 10)).as("closed by the gateway").isTrue();
        Frame goAway = onlyGoAway(frames(Collector.of(session).received()));
        assertThat(goAway.errorCode()).as("GOAWAY error code").isEqualTo(PROTOCOL_ERROR);
        assertThat(goAway.debugText()).as("debug data: Netty's would name the exception").isEmpty();
    }

    @Test
    void aBrokenPrefaceOnWestsListenerGetsGoAwayNotATunnel() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", listenerPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\nGET / HTTP/1.1\r\nHost: podinfo\r\n\r\n".getBytes(US_ASCII));
            Frame goAway = onlyGoAway(frames(readAll(socket.getInputStream())));
            assertThat(goAway.errorCode()).as("GOAWAY error code").isEqualTo(PROTOCOL_ERROR);
            assertThat(goAway.debugText()).isEqualTo("invalid connection preface");
        }
        assertThat(backend.seen).as("what reached the backend").isEmpty();
    }

    /** One HTTP/2 frame: its type, and for GOAWAY its error code and debug data. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        long errorCode() {
            return ByteBuffer.wrap(payload, 4, 4).getInt() & 0xffffffffL;
        }

        String debugText() {
            return new String(payload, 8, payload.length - 8, US_ASCII);
        }
    }

    static List<Frame> frames(byte[] bytes) {
        List<Frame> frames = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        while (in.remaining() >= 9) {
            int length = (in.get() & 0xff) << 16 | (in.get() & 0xff) << 8 | in.get() & 0xff;
            int type = in.get() & 0xff;
            int flags = in.get() & 0xff;
            int stream = in.getInt() & Integer.MAX_VALUE;
            assertThat(in.remaining()).as("bytes left for a frame of %d", length).isGreaterThanOrEqualTo(length);
            byte[] payload = new byte[length];
            in.get(payload);
            frames.add(new Frame(type, flags, stream, payload));
        }
        assertThat(in.remaining()).as("bytes after the last whole frame").isZero();
        return frames;
    }

    static Frame onlyGoAway(List<Frame> frames) {
        List<Frame> goAways = frames.stream().filter(f -> f.type() == GOAWAY).toList();
        assertThat(goAways).as("GOAWAY frames among %s", frames.stream().map(Frame::type).toList()).hasSize(1);
        return goAways.get(0);
    }

    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        return ByteBuffer.allocate(9 + payload.length)
                .put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
                .put((byte) type).put((byte) flags).putInt(stream).put(payload).array();
    }

    static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
