package dev.isthmus.gateway.hostile;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback relay that puts one ALPN protocol into each client's first ClientHello, for a TLS scanner
 * that cannot offer ours: the gateway refuses any hello without it before the TLS engine sees it, so a
 * scan straight at the port shows nothing. Behind this relay the scanner sees the engine's versions and
 * suites. The client's transcript no longer matches the server's, so no handshake completes through it;
 * a scanner reads the ServerHello (or the alert) and needs no more.
 */
final class AlpnInsertingProxy implements AutoCloseable {

    private static final int ALPN = 16;

    private final ServerSocket listener;
    private final int target;
    private final byte[] protocol;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "alpn-proxy");
        thread.setDaemon(true);
        return thread;
    });

    AlpnInsertingProxy(int target, String protocol) throws IOException {
        this.target = target;
        this.protocol = protocol.getBytes(US_ASCII);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                threads.execute(() -> relay(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(Socket client) {
        try (client; Socket server = new Socket(InetAddress.getLoopbackAddress(), target)) {
            client.setSoTimeout(30_000);
            server.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(client.getInputStream());
            byte[] header = new byte[5];
            in.readFully(header);
            byte[] body = new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)];
            in.readFully(body);
            byte[] first = header[0] == 22 ? withProtocol(header, body) : concat(header, body);
            server.getOutputStream().write(first);
            threads.execute(() -> pipe(server, client));
            pipe(client, server);
        } catch (IOException | RuntimeException e) {
            // the scanner hung up, or sent something that is not a hello: either way this connection is over
        }
    }

    /** The record with {@code protocol} as the only ALPN entry, first among the extensions; unchanged if it does not parse. */
    private byte[] withProtocol(byte[] header, byte[] body) {
        ByteBuffer hello = ByteBuffer.wrap(body);
        int helloLength = hello.getInt() & 0xffffff;
        if (body[0] != 1 || helloLength != body.length - 4) {
            return concat(header, body); // not a hello, or one that spans records
        }
        hello.position(hello.position() + 2 + 32);
        skip(hello, hello.get() & 0xff); // session id
        skip(hello, hello.getShort() & 0xffff); // cipher suites
        skip(hello, hello.get() & 0xff); // compression methods
        int fixedEnd = hello.position();
        List<byte[]> extensions = new ArrayList<>();
        extensions.add(alpnExtension());
        if (hello.hasRemaining()) {
            int extensionsLength = hello.getShort() & 0xffff;
            int end = hello.position() + extensionsLength;
            while (hello.position() < end) {
                int start = hello.position();
                int type = hello.getShort() & 0xffff;
                int length = hello.getShort() & 0xffff;
                skip(hello, length);
                if (type != ALPN) {
                    byte[] extension = new byte[4 + length];
                    System.arraycopy(body, start, extension, 0, extension.length);
                    extensions.add(extension);
                }
            }
        }
        int newExtensionsLength = extensions.stream().mapToInt(e -> e.length).sum();
        int bodyLength = fixedEnd - 4 + 2 + newExtensionsLength;
        ByteBuffer out = ByteBuffer.allocate(5 + 4 + bodyLength);
        out.put(header, 0, 3).putShort((short) (4 + bodyLength));
        out.put((byte) 1).put((byte) (bodyLength >> 16)).putShort((short) bodyLength);
        out.put(body, 4, fixedEnd - 4).putShort((short) newExtensionsLength);
        extensions.forEach(out::put);
        return out.array();
    }

    private byte[] alpnExtension() {
        ByteBuffer extension = ByteBuffer.allocate(4 + 2 + 1 + protocol.length);
        extension.putShort((short) ALPN).putShort((short) (2 + 1 + protocol.length)).putShort((short) (1 + protocol.length))
                .put((byte) protocol.length).put(protocol);
        return extension.array();
    }

    private static void skip(ByteBuffer buffer, int count) {
        buffer.position(buffer.position() + count);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed; the relay's try-with-resources closes both
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
