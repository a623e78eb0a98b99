package dev.isthmus.gateway.upstream;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The start of both opaque sessions' relays, with embedded channels for the two sides. */
class PendingRelayTest {

    private final PendingRelay pending = new PendingRelay();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final EmbeddedChannel peer = new EmbeddedChannel();
    private final AtomicLong relayed = new AtomicLong();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        peer.finishAndReleaseAll();
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, US_ASCII);
    }

    private String sent() {
        ByteBuf out = peer.readOutbound();
        try {
            return out.toString(US_ASCII);
        } finally {
            out.release();
        }
    }

    @Test
    void whatWaitedGoesFirstThenARelayTakesOverUnderTheSameName() {
        channel.pipeline().addLast("session", pending);
        channel.writeInbound(bytes("held"));
        assertThat((Object) peer.readOutbound()).as("nothing goes before the peer is connected").isNull();

        pending.connected(channel, peer, relayed::addAndGet);

        assertThat(sent()).isEqualTo("held");
        assertThat(channel.pipeline().get("session")).isInstanceOf(Relay.class);
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.writeInbound(bytes("then"));
        assertThat(sent()).isEqualTo("then");
        assertThat(relayed).hasValue(4);
    }

    @Test
    void aHalfCloseThatWaitedIsPassedOnAfterTheBytes() {
        channel.pipeline().addLast("session", pending);
        channel.writeInbound(bytes("last words"));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        pending.connected(channel, peer, relayed::addAndGet);

        assertThat(sent()).isEqualTo("last words");
        assertThat(peer.isOpen()).as("a peer that cannot half-close is closed once the bytes are out").isFalse();
    }

    @Test
    void aTlsCloseThatWaitedEndsTheSessionAfterTheBytes() {
        channel.pipeline().addLast("session", pending);
        channel.writeInbound(bytes("bye"));
        channel.pipeline().fireUserEventTriggered(SslCloseCompletionEvent.SUCCESS);

        pending.connected(channel, peer, relayed::addAndGet);

        assertThat(sent()).isEqualTo("bye");
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void bytesAndAHalfCloseReadBeforeItCameAreItsToo() {
        PendingRelay sniffed = new PendingRelay(bytes("GET"), true);
        channel.pipeline().addLast("session", sniffed);

        sniffed.connected(channel, peer, relayed::addAndGet);

        assertThat(sent()).isEqualTo("GET");
        assertThat(peer.isOpen()).isFalse();
    }

    @Test
    void aChannelThatWentAwayMeanwhileClosesThePeerAndReleasesWhatWaited() {
        channel.pipeline().addLast("session", pending);
        ByteBuf held = bytes("never sent");
        channel.writeInbound(held);

        channel.close();
        pending.connected(channel, peer, relayed::addAndGet);

        assertThat(held.refCnt()).isZero();
        assertThat(peer.isOpen()).isFalse();
        assertThat((Object) peer.readOutbound()).isNull();
    }
}
