package dev.isthmus.gateway.outbound;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

/**
 * An unmodified client in west, as plain as it gets: one keep-alive HTTP/1.1 connection on a socket,
 * one request at a time, calling the mirrored name.
 */
final class PlainHttpClient implements AutoCloseable {

    /** A response: status, headers (names lower-case) and body. */
    record Reply(int status, Map<String, String> headers, String body) {
        String error() {
            return headers.get("x-isthmus-error");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    PlainHttpClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Reply get(String path) throws IOException {
        send("GET " + path + " HTTP/1.1\r\nHost: podinfo-east:9898\r\n\r\n");
        return read();
    }

    /** Sends raw bytes: a request head, or part of a body. */
    void send(String text) throws IOException {
        out.write(text.getBytes(ISO_8859_1));
        out.flush();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    Reply read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("the gateway closed the connection before replying");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new HashMap<>();
        for (String header; !(header = line()).isEmpty(); ) {
            int colon = header.indexOf(':');
            headers.merge(header.substring(0, colon).trim().toLowerCase(), header.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        String length = headers.get("content-length");
        if (length == null) {
            throw new IOException("a response without Content-Length: " + statusLine + " " + headers);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length));
        return new Reply(status, headers, new String(body, UTF_8));
    }

    /** True when the gateway closed the connection: the next read finds its end. */
    boolean closedByGateway() throws IOException {
        return in.read() == -1;
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b == -1) {
                return line.size() == 0 ? null : line.toString(ISO_8859_1);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
