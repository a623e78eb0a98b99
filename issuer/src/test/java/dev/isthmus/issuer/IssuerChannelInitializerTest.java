package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IssuerChannelInitializerTest {

    @Test
    void setsUpTheConnectionInOrder() {
        ServingCertificate tls = new ServingCertificate(RunningIssuer.SERVICE, Clock.systemUTC());
        DefaultChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        EmbeddedChannel channel = new EmbeddedChannel(new IssuerChannelInitializer(tls::context, Duration.ofSeconds(30),
                null, new InFlightRequests(), new IssuerMetrics(new SimpleMeterRegistry()), channels));
        try {
            assertThat(channel.pipeline().names()).startsWith(
                    IssuerChannelInitializer.TLS,
                    IssuerChannelInitializer.IDLE,
                    IssuerChannelInitializer.HTTP_CODEC,
                    IssuerChannelInitializer.KEEP_ALIVE,
                    IssuerChannelInitializer.BODY_AGGREGATOR,
                    IssuerChannelInitializer.ISSUER);
            assertThat(channels.contains(channel)).as("tracked for closing").isTrue();
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
