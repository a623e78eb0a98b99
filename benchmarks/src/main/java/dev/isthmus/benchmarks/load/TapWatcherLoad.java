package dev.isthmus.benchmarks.load;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A watcher of a gateway's {@code GET /tap} during a load run ({@code cross --tap reader|stalled}): what one
 * person running {@code isthmus tap} costs the traffic. {@code reader} reads every line as fast as it comes;
 * {@code stalled} asks and never reads, so the gateway's buffer stays full and it drops.
 */
final class TapWatcherLoad implements AutoCloseable {

    private final Socket socket;
    private final Thread reader;
    private final AtomicLong lines = new AtomicLong();

    private TapWatcherLoad(Socket socket, boolean read) {
        this.socket = socket;
        this.reader = read ? new Thread(this::read, "tap-reader") : null;
        if (reader != null) {
            reader.setDaemon(true);
            reader.start();
        }
    }

    static TapWatcherLoad start(String mode, int adminPort) throws IOException {
        if (mode.equals("none")) {
            return new TapWatcherLoad(null, false);
        }
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), adminPort);
        socket.getOutputStream().write("GET /tap HTTP/1.1\r\nHost: admin\r\n\r\n".getBytes(US_ASCII));
        socket.getOutputStream().flush();
        return new TapWatcherLoad(socket, mode.equals("reader"));
    }

    private void read() {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = socket.getInputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines.incrementAndGet();
                    }
                }
            }
        } catch (IOException closed) {
            // the run is over
        }
    }

    /** Newlines read (head and chunk framing included: a rough count of events). */
    long lines() {
        return lines.get();
    }

    @Override
    public void close() throws Exception {
        if (socket != null) {
            socket.close();
        }
        if (reader != null) {
            reader.join(5_000);
        }
    }
}
