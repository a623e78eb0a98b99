package dev.isthmus.gateway.tls;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Refuses a TLS 1.3 client that does not offer our ALPN protocol with the {@code no_application_protocol}
 * alert (RFC 7301 §3.2), before the TLS engine sees its hello. BoringSSL through netty-tcnative cannot
 * do it: on no overlap its selector either answers without ALPN or picks a protocol the client did not
 * offer, and it is never asked at all when the client offers none.
 *
 * <p>The gate only reads; whatever is not a well-formed TLS 1.3 ClientHello (plaintext, TLS 1.2, a
 * malformed or huge hello) goes on to the TLS engine, which refuses it with the alert it chooses. The
 * gate leaves the pipeline with its first decision, handing on every byte it held.
 */
public final class ApplicationProtocolGate extends ByteToMessageDecoder {

    /** Alert record, fatal(2), no_application_protocol(120); sent in the clear, as every alert before ServerHello. */
    private static final byte[] NO_APPLICATION_PROTOCOL = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 120};
    /** Bytes held at most while a hello arrives in pieces: a maximal hello cut into one-byte records, with their headers. */
    private static final int MAX_HELD = 6 * ClientHelloOffer.MAX_HELLO_LENGTH;

    private final String protocol;
    private final Runnable onRefused;
    private boolean refused;

    /**
     * @param protocol the ALPN protocol a client must offer
     * @param onRefused counts a refusal (on the channel's event loop)
     */
    public ApplicationProtocolGate(String protocol, Runnable onRefused) {
        this.protocol = requireNonNull(protocol, "protocol");
        this.onRefused = requireNonNull(onRefused, "onRefused");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ClientHelloOffer offer = ClientHelloOffer.read(in);
        if (offer.status() == ClientHelloOffer.Status.INCOMPLETE && in.readableBytes() <= MAX_HELD) {
            return;
        }
        if (offer.status() == ClientHelloOffer.Status.CLIENT_HELLO && offer.tls13() && !offer.offers(protocol)) {
            refused = true;
            in.skipBytes(in.readableBytes());
            onRefused.run();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(NO_APPLICATION_PROTOCOL.clone())).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline().remove(this);
    }
}
