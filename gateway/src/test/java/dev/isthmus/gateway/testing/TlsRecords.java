package dev.isthmus.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;

/** Moves TLS records between two in-memory channels, each holding one end's SslHandler, as a socket pair would. */
public final class TlsRecords {

    private TlsRecords() {}

    /** Delivers everything each side has written to the other, once; whether anything moved. */
    public static boolean exchange(EmbeddedChannel client, EmbeddedChannel server) {
        boolean moved = false;
        for (Object bytes; (bytes = client.readOutbound()) != null; moved = true) {
            deliver(server, bytes);
        }
        for (Object bytes; (bytes = server.readOutbound()) != null; moved = true) {
            deliver(client, bytes);
        }
        return moved;
    }

    /**
     * Hands {@code bytes} to {@code channel}. A refused handshake surfaces here as a DecoderException: the handshake
     * future keeps it for the test. Bytes for a side that closed already (the alert of a refusal) are released.
     */
    public static void deliver(EmbeddedChannel channel, Object bytes) {
        if (!channel.isOpen()) {
            ((ByteBuf) bytes).release();
            return;
        }
        try {
            channel.writeInbound(bytes);
        } catch (DecoderException e) {
            // the handshake failed: see handshakeFuture()
        }
    }
}
