package dev.isthmus.mirror.controller;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain TCP relay on 127.0.0.1 in front of one loopback port: bytes are copied both ways untouched (so TLS
 * passes through and the client still talks to the real server), and the test can {@link #cut()} every
 * relayed connection and refuse new ones until {@link #restore()}, as a network partition would, without
 * stopping the server behind it. Plain {@code java.net} sockets on daemon threads: nothing to leak.
 */
final class TcpRelay implements AutoCloseable {

    private final int upstreamPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean cut;
    private volatile boolean closed;

    private TcpRelay(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-relay-" + server.getLocalPort() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A relay to {@code https://127.0.0.1:<port>}'s port; {@link #url()} is the same URL with the relay's port. */
    static TcpRelay to(URI upstream) {
        try {
            return new TcpRelay(upstream.getPort());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
    }

    URI url() {
        return URI.create("https://127.0.0.1:" + server.getLocalPort());
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections relayed so far (not counting refused ones). */
    int accepted() {
        return accepted.get();
    }

    /** Connections closed at once because the relay was cut. */
    int refused() {
        return refused.get();
    }

    /** Resets every relayed connection and refuses new ones (accepts and resets them) until {@link #restore()}. */
    void cut() {
        cut = true;
        for (Socket socket : open) {
            reset(socket);
        }
    }

    void restore() {
        cut = false;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut || closed) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5_000);
            } catch (IOException e) {
                reset(client);
                quietlyClose(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            if (cut || closed) { // cut while connecting: cut() may not have seen this pair
                refused.incrementAndGet();
                reset(client);
                reset(upstream);
                continue;
            }
            accepted.incrementAndGet();
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // cut, or either side went away
            } finally {
                reset(from);
                reset(to);
            }
        }, "tcp-relay-" + server.getLocalPort() + "-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    /** Closes with SO_LINGER 0, so the peer sees a reset, not an orderly end of stream. */
    private void reset(Socket socket) {
        open.remove(socket);
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        quietlyClose(socket);
    }

    private static void quietlyClose(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing more to do
        }
        cut();
    }
}
