package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The last handler of a backend channel, fed events directly. */
class BackendHandlerTest {

    private final List<String> heard = new ArrayList<>();

    private final BackendHandler.Listener listener = new BackendHandler.Listener() {
        @Override
        public void backendRead(HttpObject msg) {
            heard.add("read");
        }

        @Override
        public void backendReadComplete() {
            heard.add("read-complete");
        }

        @Override
        public void backendWritable() {
            heard.add("writable");
        }

        @Override
        public void backendClosed() {
            heard.add("closed");
        }
    };

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
