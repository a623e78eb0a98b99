package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.http.HttpProxyIT.Path;
import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.RouteTable;
import dev.isthmus.gateway.testing.GatewayHarness;
import dev.isthmus.gateway.testing.MtlsClient;
import dev.isthmus.gateway.transport.SessionProtocol;
import dev.isthmus.gateway.transport.TransportHeader;
import dev.isthmus.identity.testing.TestPki;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bodies stream through the gateway both ways, never held whole: 64 MiB go up and down while the
 * buffer memory of the whole test JVM (gateway, backend and client) grows by a fraction of that, the
 * backend sees an upload before the client finished sending it, and a paused client stops the backend.
 * A client that leaves in the middle of an upload makes the gateway give up the backend's side too.
 */
class HttpStreamingIT {

    static final int MiB = 1024 * 1024;
    static final int BODY = 64 * MiB;
    static final int PIECE = 64 * 1024;
    /** Generous for what is in flight at once (socket buffers, windows, a few chunks), yet far below the body. */
    static final long MEMORY_BOUND = 24 * MiB;
    static final String SERVICE = "stream.test.svc.cluster.local";

    static TestPki pki;
    static MtlsClient client;

    @BeforeAll
    static void start() {
        pki = TestPki.create();
        client = new MtlsClient();
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    static GatewayHarness gateway(TestBackend backend, BackendProtocol protocol) throws InterruptedException {
        return new GatewayHarness(pki, new RouteTable("cluster.local", List.of(HttpProxyIT.service(SERVICE, protocol, backend.port()))), b -> {});
    }

    static HttpPeer peer(GatewayHarness gateway, SessionProtocol protocol) throws Exception {
        return HttpPeer.open(client, gateway.port(), pki, new TransportHeader(SERVICE, 80, protocol));
    }

    static HttpRequest uploadHead(long length) {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        head.headers().set(HttpHeaderNames.HOST, "stream");
        HttpUtil.setContentLength(head, length);
        return head;
    }

    static ByteBuf piece(HttpPeer.Upload upload) {
        return upload.channel.alloc().buffer(PIECE).writeZero(PIECE);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void a64MiBUploadStreamsToTheBackendInBoundedMemory(Path path) throws Exception {
        try (TestBackend backend = new TestBackend(path.backend);
                GatewayHarness gateway = gateway(backend, path.backend);
                HttpPeer peer = peer(gateway, path.session)) {
            MemoryWatch memory = new MemoryWatch();
            HttpPeer.Upload upload = peer.upload(uploadHead(BODY));
            for (int sent = 0; sent < BODY; sent += PIECE) {
                if (sent == 8 * MiB) {
                    // An eighth of the body is out: the backend must already be reading it.
                    assertThat(backend.uploadStarted.await(20, TimeUnit.SECONDS)).isTrue();
                    assertThat(backend.uploaded.get()).isLessThan(BODY);
                }
                upload.write(piece(upload), sent + PIECE == BODY);
            }

            assertThat(upload.reply.get(60, TimeUnit.SECONDS).body()).isEqualTo("received " + BODY);
            memory.close();
            assertThat(memory.growth()).isLessThan(MEMORY_BOUND);
        }
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void a64MiBDownloadStreamsAndAPausedClientHoldsTheBackendBack(Path path) throws Exception {
        try (TestBackend backend = new TestBackend(path.backend);
                GatewayHarness gateway = gateway(backend, path.backend);
                HttpPeer peer = peer(gateway, path.session)) {
            BodyCounter body = new BodyCounter(8 * MiB);
            FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/download/" + BODY);
            get.headers().set(HttpHeaderNames.HOST, "stream");
            MemoryWatch memory = new MemoryWatch();
            if (path.session == SessionProtocol.HTTP2) {
                peer.openStream(new Http2StreamFrameToHttpObjectCodec(false), body).sync().getNow().writeAndFlush(get);
            } else {
                peer.streamHttp1Responses(body);
                peer.channel().writeAndFlush(get);
            }

            assertThat(body.paused.await(30, TimeUnit.SECONDS)).isTrue();
            long sentWhilePaused = awaitSteady(backend);
            assertThat(sentWhilePaused - body.received.get())
                    .as("bytes the backend got ahead of a paused client")
                    .isLessThan(BODY / 2);
            body.resume();

            assertThat(body.done.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            assertThat(body.received.get()).isEqualTo(BODY);
            memory.close();
            assertThat(memory.growth()).isLessThan(MEMORY_BOUND);
        }
    }

    /** Waits (bounded) until the backend stopped sending: its count holds still for a while. */
    static long awaitSteady(TestBackend backend) throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 100; i++) {
            long now = backend.downloaded.get();
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(200); // steady means unchanged across a pause: the time passing is the check
        }
        return last;
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aClientThatLeavesMidUploadMakesTheGatewayDropTheBackendSide(Path path) throws Exception {
        try (TestBackend backend = new TestBackend(path.backend);
                GatewayHarness gateway = gateway(backend, path.backend);
                HttpPeer peer = peer(gateway, path.session)) {
            HttpPeer.Upload upload = peer.upload(uploadHead(BODY));
            for (int i = 0; i < 16; i++) {
                upload.write(piece(upload), false);
            }
            assertThat(backend.uploadStarted.await(20, TimeUnit.SECONDS)).isTrue();

            upload.channel.close().sync(); // HTTP/1.1: the connection; HTTP/2: only the stream (RST_STREAM)

            assertThat(backend.uploadAbandoned.await(20, TimeUnit.SECONDS)).isTrue();
            if (path.backend == BackendProtocol.HTTP1) {
                // An HTTP/1.1 connection with half a request on it cannot be reused: it is closed, not pooled.
                assertThat(backend.connectionClosed.await(20, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(gateway.awaitCount(1, HttpProxyIT.REQUESTS, "status_class", "4xx", "target", SERVICE + ":80"))
                    .isEqualTo(1); // counted as 499, client closed request
        }
    }
}
