package dev.isthmus.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** The connection a link's probes share, with embedded channels standing for connections. */
class ProbeConnectionTest {

    private final EmbeddedChannel first = new EmbeddedChannel();
    private final ProbeConnection connection = new ProbeConnection(first.eventLoop());

    private static SslContext context() throws SSLException {
        return SslContextBuilder.forClient().build();
    }

    @Test
    void aKeptConnectionServesTheNextProbesWithoutADial() throws SSLException {
        SslContext tls = context();
        assertThat(connection.usable(tls)).as("none yet: dial").isNull();

        connection.keep(first, tls);

        assertThat(connection.usable(tls)).isSameAs(first);
        assertThat(connection.usable(tls)).isSameAs(first);
        assertThat(first.isOpen()).isTrue();
    }

    @Test
    void aConnectionThatClosedIsForgotten() throws SSLException {
        SslContext tls = context();
        connection.keep(first, tls);

        first.close();

        assertThat(connection.usable(tls)).isNull();
        assertThat(connection.holds(first)).isFalse();
    }

    @Test
    void newCredentialsMakeTheNextProbeDialSoThatThePeerSeesThem() throws SSLException {
        connection.keep(first, context());

        assertThat(connection.usable(context())).isNull();
        assertThat(first.isOpen()).as("the connection with the old certificate is closed").isFalse();
    }

    @Test
    void keepingAnotherConnectionClosesTheOneKeptBefore() throws SSLException {
        SslContext tls = context();
        EmbeddedChannel second = new EmbeddedChannel();
        connection.keep(first, tls);

        connection.keep(second, tls);

        assertThat(first.isOpen()).isFalse();
        assertThat(connection.usable(tls)).isSameAs(second);
        connection.discard();
        assertThat(second.isOpen()).isFalse();
    }
}
