package dev.isthmus.gateway.routing;

import java.util.function.Consumer;

/**
 * Where route tables come from: a YAML file, the Kubernetes API (in the mirror module), or the demo.
 * The gateway knows nothing else about them.
 */
public interface RouteSource extends AutoCloseable {

    /**
     * Starts delivering tables to {@code listener}: the first one as soon as it is known, then one on
     * every change. A source that cannot produce a new table keeps quiet and the gateway keeps the last.
     */
    void start(Consumer<RouteTable> listener);

    @Override
    void close();
}
