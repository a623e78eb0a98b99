package dev.isthmus.benchmarks.load;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The load generator of one event loop and its lanes. Everything runs on that loop, so there are no
 * locks; the harness talks to it through {@code executor().submit}.
 *
 * <ul>
 *   <li>Closed loop: every lane is kept full; each response releases the next request at once. The rate
 *       found is the saturating rate for that concurrency.
 *   <li>Open loop: requests are released at a fixed rate, in 1 ms ticks, whatever the responses do. A
 *       request released while every lane is full waits in a backlog, and its latency still counts from
 *       its release, so a slow target cannot hide its slowness by slowing the generator down.
 * </ul>
 * Latencies and counts are kept only inside a measurement window ({@link #startWindow}, {@link #endWindow}).
 */
final class LoadLoop {

    /** What one loop saw in a window. */
    record Window(long completed, long failed, long nanos, LatencySamples latencies, long backlogged) {}

    private final EventLoop executor;
    private final List<Lane> lanes = new ArrayList<>();
    private final LongQueue backlog = new LongQueue();
    private boolean running;
    private boolean closedLoop;
    private int cursor;
    private double ratePerNano;
    private long openStart;
    private long released;
    private ScheduledFuture<?> ticker;
    private boolean inWindow;
    private long windowStart;
    private long completed;
    private long failed;
    private long backlogged;
    private LatencySamples latencies = new LatencySamples();

    LoadLoop(EventLoop executor) {
        this.executor = executor;
    }

    /** One load loop on each event loop of {@code group}. */
    static List<LoadLoop> on(EventLoopGroup group) {
        List<LoadLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            loops.add(new LoadLoop((EventLoop) executor));
        }
        return loops;
    }

    /** Waits (bounded) for every lane being opened; throws if one did not open. */
    static void awaitOpen(List<Future<Lane>> opening) throws InterruptedException {
        for (Future<Lane> lane : opening) {
            if (!lane.await(15, TimeUnit.SECONDS) || !lane.isSuccess()) {
                throw new IllegalStateException("a load connection did not open: " + lane.cause());
            }
        }
    }

    EventLoop executor() {
        return executor;
    }

    void add(Lane lane) {
        lanes.add(lane);
    }

    /** Fills every lane and keeps it full. */
    void startClosed() {
        running = true;
        closedLoop = true;
        long now = System.nanoTime();
        for (Lane lane : lanes) {
            while (lane.hasCapacity()) {
                lane.send(now);
            }
            lane.flush();
        }
    }

    /** Releases {@code perSecond} requests a second from now on. */
    void startOpen(double perSecond) {
        running = true;
        closedLoop = false;
        ratePerNano = perSecond / 1e9;
        openStart = System.nanoTime();
        released = 0;
        ticker = executor.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        long now = System.nanoTime();
        long due = (long) ((now - openStart) * ratePerNano);
        for (; released < due; released++) {
            Lane lane = freeLane();
            if (lane != null) {
                lane.send(now);
            } else {
                backlog.add(now);
                if (inWindow) {
                    backlogged++;
                }
            }
        }
        for (Lane lane : lanes) {
            lane.flush();
        }
    }

    private Lane freeLane() {
        for (int i = 0; i < lanes.size(); i++) {
            Lane lane = lanes.get(cursor);
            cursor = cursor + 1 == lanes.size() ? 0 : cursor + 1;
            if (lane.hasCapacity()) {
                return lane;
            }
        }
        return null;
    }

    /** A lane's request ended; in a closed loop the lane sends the next at once, in an open one it takes from the backlog. */
    void completed(Lane lane, long releasedAt, boolean ok) {
        if (inWindow) {
            if (ok) {
                completed++;
                latencies.add(System.nanoTime() - releasedAt);
            } else {
                failed++;
            }
        }
        if (!running || !lane.hasCapacity()) {
            return;
        }
        if (closedLoop) {
            lane.send(System.nanoTime());
        } else if (!backlog.isEmpty()) {
            lane.send(backlog.poll());
        }
    }

    void startWindow() {
        inWindow = true;
        windowStart = System.nanoTime();
        completed = 0;
        failed = 0;
        backlogged = 0;
        latencies = new LatencySamples();
    }

    Window endWindow() {
        inWindow = false;
        Window window = new Window(completed, failed, System.nanoTime() - windowStart, latencies, backlogged);
        latencies = new LatencySamples();
        return window;
    }

    /** Stops releasing requests; those in flight finish on their own. Returns how many never left the backlog. */
    long stop() {
        running = false;
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        long unsent = backlog.size();
        backlog.clear();
        return unsent;
    }

    int inFlight() {
        int sum = 0;
        for (Lane lane : lanes) {
            sum += lane.inFlight();
        }
        return sum;
    }

    int openLanes() {
        int open = 0;
        for (Lane lane : lanes) {
            open += lane.hasCapacity() || lane.inFlight() > 0 ? 1 : 0;
        }
        return open;
    }

    void closeAll() {
        lanes.forEach(Lane::close);
    }

    /** A FIFO of longs without boxing. */
    static final class LongQueue {
        private long[] items = new long[1024];
        private int head;
        private int size;

        void add(long value) {
            if (size == items.length) {
                long[] grown = new long[items.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = items[(head + i) % items.length];
                }
                items = grown;
                head = 0;
            }
            items[(head + size++) % items.length] = value;
        }

        long poll() {
            long value = items[head];
            head = (head + 1) % items.length;
            size--;
            return value;
        }

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        void clear() {
            head = 0;
            size = 0;
        }
    }
}
