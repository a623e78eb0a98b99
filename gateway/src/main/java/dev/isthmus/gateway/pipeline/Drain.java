package dev.isthmus.gateway.pipeline;

/**
 * The user event a draining gateway sends down every open connection: finish what is in flight, take
 * nothing new (HTTP/1.1 answers with {@code Connection: close}, HTTP/2 sends GOAWAY), then close.
 */
public final class Drain {
    public static final Drain EVENT = new Drain();

    private Drain() {}
}
