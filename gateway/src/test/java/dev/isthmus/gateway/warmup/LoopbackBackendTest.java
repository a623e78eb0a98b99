package dev.isthmus.gateway.warmup;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.io.IoTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The warm-up's two ends against each other, and the backend against a client that does not speak HTTP. */
class LoopbackBackendTest {

    private final EventLoopGroup group = IoTransport.preferred().newGroup(1);

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        try (LoopbackBackend backend = new LoopbackBackend(group)) {
            assertThat(backend.port()).isPositive();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backend.port()), 5_000);
                assertThat(socket.getInetAddress().isLoopbackAddress()).isTrue();
            }
        }
    }

    @Test
    void theLoadKeepsEveryConnectionBusyAndStopsWhenClosed() throws Exception {
        try (LoopbackBackend backend = new LoopbackBackend(group)) {
            LoopbackLoad load = new LoopbackLoad(group, backend.port(), 3, "backend:8080");
            awaitAtLeast("answers", load::ok, 300);
            assertThat(load.open()).isEqualTo(3);
            load.close();
            assertThat(load.open()).isZero();
            assertThat(load.failed()).isZero();
        }
    }

    @Test
    void connectionsLeaveOneByOneSomeWithARequestInFlightAndNewOnesTakeTheirPlace() throws Exception {
        try (LoopbackBackend backend = new LoopbackBackend(group)) {
            LoopbackLoad load = new LoopbackLoad(group, backend.port(), 4, "backend:8080");
            // Each connection leaves after 512 to 2,047 answers: 10,000 over four connections take at least four leaves.
            awaitAtLeast("answers", load::ok, 10_000);
            assertThat(load.left()).isGreaterThanOrEqualTo(4);
            assertThat(load.open()).isEqualTo(4);
            long answered = load.ok();
            Thread.sleep(200);
            assertThat(load.ok()).as("the new connections carry the load on").isGreaterThan(answered);
            load.close();
            assertThat(load.open()).isZero();
            assertThat(load.failed()).as("a connection that leaves on purpose is no failure").isZero();
        }
    }

    @Test
    void everyOtherConnectionLeavesWithOneRequestMoreThanItWasAnswered() throws Exception {
        // A server that answers every request and counts, per connection, the requests it read before the client left.
        List<Integer> requestsOfEndedConnections = new CopyOnWriteArrayList<>();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread accepting = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        new Thread(() -> answerUntilClosed(socket, requestsOfEndedConnections), "counting-server").start();
                    } catch (IOException e) {
                        return; // the server socket closed
                    }
                }
            }, "counting-server-accept");
            accepting.start();
            // One connection at a time, so that connections 0 to 3 are the first four to leave: with two side by side,
            // the blocking server's threads may answer one much faster than the other (seen with the NIO transport),
            // and connection 4 may leave before connection 3.
            try (LoopbackLoad load = new LoopbackLoad(group, server.getLocalPort(), 1, "backend:8080")) {
                awaitAtLeast("connections that left", load::left, 4);
            }
        }
        // Connections 0 to 3 leave after 512, 723, 934 and 1,145 answers; the odd ones send one request more first.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!requestsOfEndedConnections.containsAll(List.of(512, 724, 934, 1146)) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(requestsOfEndedConnections).as("the requests the server read on each connection that ended")
                .contains(512, 724, 934, 1146);
    }

    /** Answers each request head on {@code socket} with an empty 200 until the client closes, then records how many it read. */
    private static void answerUntilClosed(Socket socket, List<Integer> requestsOfEndedConnections) {
        int requests = 0;
        try (socket) {
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            while (readHead(in).endsWith("\r\n\r\n")) {
                requests++;
                socket.getOutputStream().write("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".getBytes(US_ASCII));
            }
        } catch (IOException e) {
            // the client went away mid-write: its count stands
        }
        requestsOfEndedConnections.add(requests);
    }

    @Test
    void aClientThatDoesNotSpeakHttpIsClosedWithoutAnAnswer() throws Exception {
        try (LoopbackBackend backend = new LoopbackBackend(group);
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), backend.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("\u0016\u0003\u0001 not HTTP at all\r\n\r\n".getBytes(US_ASCII));
            socket.getOutputStream().flush();
            assertThat(readAll(socket.getInputStream())).isEmpty();
        }
    }

    @Test
    void aLoadWhosePortIsClosedCountsItsConnectionsAsFailedAndHasNoneOpen() throws Exception {
        int closedPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = free.getLocalPort();
        }
        try (LoopbackLoad load = new LoopbackLoad(group, closedPort, 2, "backend:8080")) {
            assertThat(load.failed()).isEqualTo(2);
            assertThat(load.open()).isZero();
        }
    }

    @Test
    void aConnectionClosedAfterItWasAnsweredIsReopened() throws Exception {
        // A server that answers one request per connection, then closes it: as a starved gateway timing one out.
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        InputStream in = socket.getInputStream();
                        String head = "";
                        while (!head.endsWith("\r\n\r\n")) {
                            int b = in.read();
                            if (b < 0) {
                                break;
                            }
                            head += (char) b;
                        }
                        socket.getOutputStream().write("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".getBytes(US_ASCII));
                    } catch (IOException e) {
                        return; // the server socket closed
                    }
                }
            }, "one-answer-server");
            answering.start();
            try (LoopbackLoad load = new LoopbackLoad(group, server.getLocalPort(), 2, "backend:8080")) {
                awaitAtLeast("answers", load::ok, 20); // one per connection: all but the first two on reopened ones
            }
        }
    }

    @Test
    void closeReturnsOnlyOnceEveryConnectionOfTheLoadIsClosedEvenOneReopenedAtThatMoment() throws Exception {
        // A server that closes each connection after its first answer makes the load reopen one for nearly every
        // request, so that close() often comes while a replacement is being opened on the event loop.
        Channel server = new ServerBootstrap().group(group).channel(IoTransport.of(group).serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new SimpleChannelInboundHandler<HttpObject>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                if (msg instanceof LastHttpContent) {
                                    FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                                    ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                                    ctx.writeAndFlush(ok).addListener(ChannelFutureListener.CLOSE);
                                }
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        try {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            for (int round = 0; round < 200; round++) {
                LoopbackLoad load = new LoopbackLoad(group, port, 2, "backend:8080");
                awaitAtLeast("answers", load::ok, 2 + round % 7);
                load.close();
                assertThat(load.unclosed()).as("channels of the load still open when close() returned, round " + round)
                        .isZero();
                assertThat(load.open()).isZero();
            }
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    @Test
    void theLoadSendsTheGetMostClientsSendWithNoLengthAndNoBody() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                LoopbackLoad load = new LoopbackLoad(group, server.getLocalPort(), 1, "backend:8080");
                Socket socket = server.accept()) {
            socket.setSoTimeout(10_000);
            String head = readHead(socket.getInputStream());

            assertThat(head).startsWith("GET / HTTP/1.1\r\n").containsIgnoringCase("\r\nhost: backend:8080\r\n");
            assertThat(head.toLowerCase(java.util.Locale.ROOT)).doesNotContain("content-length").doesNotContain("transfer-encoding");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), US_ASCII);
    }

    /** Waits until {@code count} is at least {@code atLeast}, for at most 30 s, and fails naming {@code what} if it is not. */
    private static void awaitAtLeast(String what, LongSupplier count, long atLeast) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count.getAsLong() < atLeast && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(count.getAsLong()).as(what).isGreaterThanOrEqualTo(atLeast);
    }
}
