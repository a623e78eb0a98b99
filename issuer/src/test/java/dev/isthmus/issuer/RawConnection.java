package dev.isthmus.issuer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A client that writes exactly the bytes a test gives it, over TLS or plain TCP, and reads HTTP/1.1
 * responses by hand: for pipelining, hostile input and keep-alive, which the JDK client hides.
 */
final class RawConnection implements AutoCloseable {

    /** A response as read off the wire. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawConnection tls(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.startHandshake();
        return new RawConnection(socket);
    }

    static RawConnection plain(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawConnection(socket);
    }

    SSLSocket sslSocket() {
        return (SSLSocket) socket;
    }

    RawConnection write(String text) throws IOException {
        return write(text.getBytes(US_ASCII));
    }

    RawConnection write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one response with a Content-Length body. */
    Response read() throws IOException {
        return read(true);
    }

    /** Reads the head of a response that has no body whatever its Content-Length says, as the answer to HEAD. */
    Response readWithoutBody() throws IOException {
        return read(false);
    }

    private Response read(boolean withBody) throws IOException {
        String head = readHead();
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int length = withBody ? Integer.parseInt(headers.getOrDefault("content-length", "0")) : 0;
        byte[] body = in.readNBytes(length);
        return new Response(status, headers, new String(body, US_ASCII));
    }

    /**
     * True if the server closed the connection: reading ends or is reset before {@code patienceMillis} pass.
     * Anything still readable before the end is skipped.
     */
    boolean closedByServer(int patienceMillis) throws IOException {
        socket.setSoTimeout(patienceMillis);
        try {
            while (in.read() >= 0) {
                // skip what was still in flight
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset, or a TLS alert: closed all the same
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of a response head: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        return head.toString(US_ASCII).strip();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
