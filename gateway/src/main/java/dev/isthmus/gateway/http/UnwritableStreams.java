package dev.isthmus.gateway.http;

import java.util.ArrayList;

/**
 * The streams of one HTTP/2 connection whose exchange found them unwritable and stopped reading the other side, each to
 * be told once it can write again. Netty's flow controller tells of writability changes through its listener, but not
 * of all of them: its channel-writability check compares the channel's writability with the connection's last
 * <em>marked</em> one, so a stream that was marked writable while the connection's mark was stale stays marked writable
 * after the channel stops being so. Its exchange then pauses on a stream that is never reported writable again, and the
 * response stalls for good ({@code HttpStreamingIT}'s paused download, in about two runs of five). So the sessions
 * keep the streams that said no here and ask them again where writability can come back: at the end of every read
 * (WINDOW_UPDATE frames are reads) and when the channel's writability changes. The set is empty unless a client or
 * upstream is slower than the other side.
 */
final class UnwritableStreams {

    /**
     * A stream that can say whether it is writable now, and be told that it became so. One that heard it from Netty's
     * listener meanwhile ignores the second telling.
     */
    interface Stream {
        boolean writableNow();

        void becameWritable();
    }

    private ArrayList<Stream> waiting;

    /** {@code stream} said it cannot write; it hears {@link Stream#becameWritable} once that changes. */
    void add(Stream stream) {
        if (waiting == null) {
            waiting = new ArrayList<>(4);
        }
        if (!waiting.contains(stream)) {
            waiting.add(stream);
        }
    }

    /** Tells the streams that can write again; the others keep waiting. */
    void recheck() {
        if (waiting == null || waiting.isEmpty()) {
            return;
        }
        ArrayList<Stream> asked = waiting;
        waiting = null; // what the streams told here add again lands in a new list
        for (Stream stream : asked) {
            if (stream.writableNow()) {
                stream.becameWritable();
            } else {
                add(stream);
            }
        }
    }
}
