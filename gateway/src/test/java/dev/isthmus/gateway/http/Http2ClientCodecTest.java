package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/** The codec of a pool's HTTP/2 connections: a client's, sharing the upstream's window out uniformly. */
class Http2ClientCodecTest {

    @Test
    void isAClientCodecThatOpensOddStreams() throws Exception {
        Http2FrameCodec codec = Http2ClientCodec.create(Http2Settings.defaultSettings().pushEnabled(false));
        EmbeddedChannel channel = new EmbeddedChannel(codec);
        try {
            assertThat(codec.connection().isServer()).isFalse();
            assertThat(codec.connection().local().incrementAndGetNextStreamId()).isOdd();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** As Netty's forClient() codec: HostileClientMatrixIT's remote gateway cut with FIN hung its request for 30 s without. */
    @Test
    void closesWithoutWaitingForItsOpenStreams() {
        assertThat(Http2ClientCodec.create(Http2Settings.defaultSettings()).gracefulShutdownTimeoutMillis()).isZero();
    }

    /** Read by reflection: Netty's flow controller does not say which distributor it was given. */
    @Test
    void sharesTheUpstreamsWindowUniformlyNotByPriority() throws Exception {
        Http2FrameCodec codec = Http2ClientCodec.create(Http2Settings.defaultSettings());
        Field distributor = DefaultHttp2RemoteFlowController.class.getDeclaredField("streamByteDistributor");
        distributor.setAccessible(true);
        assertThat(distributor.get(codec.connection().remote().flowController())).isInstanceOf(UniformStreamByteDistributor.class);
    }
}
