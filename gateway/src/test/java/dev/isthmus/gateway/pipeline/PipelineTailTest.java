package dev.isthmus.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class PipelineTailTest {

    @Test
    void countsAndReleasesWhatReachesIt() {
        EmbeddedChannel channel = new EmbeddedChannel();
        PipelineTail.addTo(channel.pipeline());
        long exceptions = PipelineTail.exceptions();
        long messages = PipelineTail.messages();
        ByteBuf unread = Unpooled.buffer().writeByte(1);

        channel.pipeline().fireChannelRead(unread);
        IllegalStateException bug = new IllegalStateException("no handler for this");
        channel.pipeline().fireExceptionCaught(bug);

        assertThat(unread.refCnt()).as("released").isZero();
        assertThat(PipelineTail.messages()).isEqualTo(messages + 1);
        assertThat(PipelineTail.exceptions()).isEqualTo(exceptions + 1);
        assertThat(PipelineTail.lastException()).isSameAs(bug);
        channel.checkException(); // nothing went on to Netty's own tail
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void staysLastWhenAnotherInitializerAddedHandlersAfterIt() {
        EmbeddedChannel channel = new EmbeddedChannel();
        PipelineTail.addTo(channel.pipeline());
        channel.pipeline().addLast("session", new ChannelInboundHandlerAdapter());
        PipelineTail.addTo(channel.pipeline());
        assertThat(channel.pipeline().names()).containsSubsequence("session", PipelineTail.NAME);
        assertThat(channel.pipeline().names().stream().filter(PipelineTail.NAME::equals)).hasSize(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void isAMetricOfTheGateway() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new GatewayMetrics(registry);
        EmbeddedChannel channel = new EmbeddedChannel();
        PipelineTail.addTo(channel.pipeline());
        channel.pipeline().fireExceptionCaught(new IllegalStateException("counted"));

        assertThat(registry.get("isthmus.gateway.pipeline.tail").tag("kind", "exception").functionCounter().count())
                .isEqualTo(PipelineTail.exceptions()).isPositive();
        channel.finishAndReleaseAll();
    }
}
