package dev.isthmus.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdleCloseTest {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void aConnectionOnWhichNothingMovesIsClosedAtTheTimeout() {
        EmbeddedChannel channel = new EmbeddedChannel(new IdleClose(TIMEOUT));

        advance(channel, 9_999);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aReadBatchRestartsTheTimeout() {
        EmbeddedChannel channel = new EmbeddedChannel(new IdleClose(TIMEOUT));

        advance(channel, 6_000);
        channel.writeInbound(bytes("ping"));
        advance(channel, 6_000); // 12 s after the start, 6 s after the read
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 4_000);
        assertThat(channel.isOpen()).isFalse();
        release(channel.readInbound());
    }

    @Test
    void aFlushRestartsTheTimeoutAndWritesPassThrough() {
        EmbeddedChannel channel = new EmbeddedChannel(new IdleClose(TIMEOUT));

        advance(channel, 6_000);
        channel.writeAndFlush(bytes("pong"));
        advance(channel, 6_000);
        assertThat(channel.isOpen()).isTrue();
        ByteBuf written = channel.readOutbound();
        assertThat(written.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("pong");
        written.release();
        advance(channel, 4_000);
        assertThat(channel.isOpen()).isFalse();
    }

    /**
     * A peer that stops reading: the gateway's write is asked for and flushed, and never completes. The connection is
     * idle from that flush on and is closed a timeout later, as with Netty's IdleStateHandler watching completions.
     */
    @Test
    void aWriteThatNeverCompletesDoesNotKeepTheConnectionOpen() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                release(msg); // held by a peer that reads nothing: the promise stays open
            }
        }, new IdleClose(TIMEOUT));

        channel.writeAndFlush(bytes("stuck"));
        advance(channel, 10_000);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void removingTheHandlerCancelsItsTimer() {
        IdleClose idle = new IdleClose(TIMEOUT);
        EmbeddedChannel channel = new EmbeddedChannel(idle);

        channel.pipeline().remove(idle);
        advance(channel, 60_000);
        assertThat(channel.isOpen()).isTrue();
        channel.finish();
    }

    @Test
    void aTimeoutThatIsNotPositiveIsRefusedByName() {
        assertThatThrownBy(() -> new IdleClose(Duration.ZERO)).hasMessage("idle timeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new IdleClose(Duration.ofSeconds(-1))).hasMessage("idle timeout: PT-1S (expected: > 0)");
    }

    static void advance(EmbeddedChannel channel, long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, java.nio.charset.StandardCharsets.US_ASCII);
    }

    static void release(Object msg) {
        if (msg instanceof ByteBuf buf) {
            buf.release();
        }
    }
}
