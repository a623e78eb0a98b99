package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The last handler of a backend channel, fed events directly. */
class BackendHandlerTest {

    private final HeardFromBackend listener = new HeardFromBackend(msg -> "read");
    private final List<String> heard = listener.heard;

    @Test
    void aBackendThatEndsItsSideMidExchangeClosesTheConnectionAndTheExchangeHearsIt() {
        BackendHandler handler = new BackendHandler();
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        handler.attach(listener);

        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        assertThat(channel.isOpen()).as("a half-closed HTTP/1.1 backend connection is of no further use").isFalse();
        assertThat(heard).containsExactly("closed");
    }

    @Test
    void anIdleConnectionWhoseBackendEndsItsSideCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(new BackendHandler());

        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        assertThat(channel.isOpen()).as("left open, it would sit in CLOSE-WAIT in the pool").isFalse();
    }
}
