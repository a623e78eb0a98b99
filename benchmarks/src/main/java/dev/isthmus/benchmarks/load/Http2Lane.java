package dev.isthmus.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.SocketAddress;

/**
 * A peer gateway's HTTP/2 session through the gateway under test: {@code GET /} on a new stream per
 * request, up to {@code streams} at a time. Written against Netty's connection handler directly, not
 * child channels, so that the generator spends as little CPU per request as it can.
 */
final class Http2Lane implements Lane {

    private static final AsciiString OK = AsciiString.cached("200");

    private final LoadLoop loop;
    private final int streams;
    private final Http2Headers request = new DefaultHttp2Headers()
            .method("GET").scheme("https").path("/")
            .authority(GatewayUnderTest.SERVICE + ":" + GatewayUnderTest.SERVICE_PORT);
    /** Stream id to the time its request was released. */
    private final IntObjectHashMap<Long> inFlight = new IntObjectHashMap<>();
    private Channel channel;
    private Http2ConnectionHandler h2;
    private ChannelHandlerContext h2ctx;
    private boolean open;
    private boolean dirty;

    private Http2Lane(LoadLoop loop, int streams) {
        this.loop = loop;
        this.streams = streams;
    }

    static Future<Lane> open(LoadLoop loop, SocketAddress gateway, SslContext tls, int streams) {
        Http2Lane lane = new Http2Lane(loop, streams);
        Promise<Lane> ready = loop.executor().newPromise();
        PeerConnection.open(loop.executor(), gateway, null, tls, lane.new Frames(), lane.new Life()).addListener(f -> {
            if (!f.isSuccess()) {
                ready.setFailure(f.cause());
                return;
            }
            lane.channel = (Channel) f.getNow();
            lane.h2 = lane.channel.pipeline().get(Http2ConnectionHandler.class);
            lane.h2ctx = lane.channel.pipeline().context(lane.h2);
            lane.open = lane.channel.isActive();
            loop.add(lane);
            ready.setSuccess(lane);
        });
        return ready;
    }

    @Override
    public boolean hasCapacity() {
        return open && inFlight.size() < streams;
    }

    @Override
    public void send(long releasedAt) {
        int stream = h2.connection().local().incrementAndGetNextStreamId();
        inFlight.put(stream, Long.valueOf(releasedAt));
        h2.encoder().writeHeaders(h2ctx, stream, request, 0, true, h2ctx.newPromise()).addListener(f -> {
            if (!f.isSuccess()) {
                // A stream that could not even start means the session is broken: end the lane, not just the request.
                open = false;
                channel.close();
                ended(stream, false);
            }
        });
        dirty = true;
    }

    @Override
    public void flush() {
        if (dirty) {
            dirty = false;
            channel.flush();
        }
    }

    @Override
    public int inFlight() {
        return inFlight.size();
    }

    @Override
    public void close() {
        open = false;
        if (channel != null) {
            channel.close();
        }
    }

    private void ended(int stream, boolean ok) {
        Long releasedAt = inFlight.remove(stream);
        if (releasedAt != null) {
            loop.completed(this, releasedAt, ok);
        }
    }

    /** Responses: a stream ends well with {@code :status 200} and the end of its body. */
    private final class Frames extends Http2FrameAdapter {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int stream, Http2Headers headers, int padding, boolean endOfStream) {
            if (!OK.contentEquals(headers.status())) {
                ended(stream, false); // what follows of this stream is ignored
            } else if (endOfStream) {
                ended(stream, true);
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int stream, Http2Headers headers, int dependency, short weight,
                boolean exclusive, int padding, boolean endOfStream) {
            onHeadersRead(ctx, stream, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int stream, ByteBuf data, int padding, boolean endOfStream) {
            if (endOfStream) {
                ended(stream, true);
            }
            return data.readableBytes() + padding; // consumed at once: the flow controller returns the credit
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int stream, long errorCode) {
            ended(stream, false);
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            open = false;
        }
    }

    /** The end of the connection fails what is still in flight. */
    private final class Life extends ChannelInboundHandlerAdapter {
        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open = false;
            int[] streamsLeft = inFlight.keySet().stream().mapToInt(Integer::intValue).toArray();
            for (int stream : streamsLeft) {
                ended(stream, false);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
