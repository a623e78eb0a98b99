package dev.isthmus.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One measured phase against one target: start the load loops, let them warm up, measure a window,
 * stop them and wait (bounded) for what is in flight. The window's counts, latencies and CPU come back
 * as a {@link Result}.
 */
final class LoadPhase {

    record Result(String target, long completed, long failed, double seconds, LatencySamples latencies, CpuMeter.Usage cpu,
            long backlogged, long unsent, int openLanes) {

        double perSecond() {
            return completed / seconds;
        }

        /** CPU microseconds of {@code role} per completed request. */
        double cpuMicros(String role) {
            return completed == 0 ? Double.NaN : cpu.role(role) / 1000.0 / completed;
        }

        double otherInProcessMicros() {
            return completed == 0 ? Double.NaN : cpu.otherInProcess() / 1000.0 / completed;
        }

        /** Cores {@code role} kept busy on average. */
        double cores(String role) {
            return cpu.role(role) / (double) cpu.wallNanos();
        }
    }

    private static final Duration DRAIN = Duration.ofSeconds(10);

    private LoadPhase() {}

    /** Runs {@code loops} closed-loop for {@code time}, measuring nothing: JIT warm-up, before any target is measured. */
    static void warmUp(List<LoadLoop> loops, Duration time) throws Exception {
        for (LoadLoop loop : loops) {
            loop.executor().submit(loop::startClosed).sync();
        }
        Thread.sleep(time.toMillis());
        for (LoadLoop loop : loops) {
            loop.executor().submit(loop::stop).sync();
        }
        drain(loops);
    }

    static Result closed(String target, List<LoadLoop> loops, Duration warmup, Duration measure, CpuMeter cpu) throws Exception {
        for (LoadLoop loop : loops) {
            loop.executor().submit(loop::startClosed).sync();
        }
        return measure(target, loops, warmup, measure, cpu);
    }

    static Result open(String target, List<LoadLoop> loops, double perSecond, Duration warmup, Duration measure, CpuMeter cpu)
            throws Exception {
        for (LoadLoop loop : loops) {
            loop.executor().submit(() -> loop.startOpen(perSecond / loops.size())).sync();
        }
        return measure(target, loops, warmup, measure, cpu);
    }

    private static Result measure(String target, List<LoadLoop> loops, Duration warmup, Duration measure, CpuMeter cpu)
            throws Exception {
        Thread.sleep(warmup.toMillis());
        CpuMeter.Reading start = cpu.read();
        for (LoadLoop loop : loops) {
            loop.executor().submit(loop::startWindow).sync();
        }
        Thread.sleep(measure.toMillis());
        List<LoadLoop.Window> windows = new ArrayList<>();
        for (LoadLoop loop : loops) {
            windows.add(loop.executor().submit(loop::endWindow).get());
        }
        CpuMeter.Usage usage = cpu.read().since(start);
        long unsent = 0;
        for (LoadLoop loop : loops) {
            unsent += loop.executor().submit(loop::stop).get();
        }
        drain(loops);
        int openLanes = 0;
        for (LoadLoop loop : loops) {
            openLanes += loop.executor().submit(loop::openLanes).get();
        }
        long completed = 0;
        long failed = 0;
        long backlogged = 0;
        double perSecond = 0;
        LatencySamples latencies = new LatencySamples();
        for (LoadLoop.Window window : windows) {
            completed += window.completed();
            failed += window.failed();
            backlogged += window.backlogged();
            perSecond += window.completed() / (window.nanos() / 1e9);
            latencies.addAll(window.latencies());
        }
        // Rates add up per loop (each measured over its own window); the seconds are what gives that total.
        double seconds = completed == 0 ? measure.toNanos() / 1e9 : completed / perSecond;
        return new Result(target, completed, failed, seconds, latencies, usage, backlogged, unsent, openLanes);
    }

    /** Waits until nothing is in flight, so that the next phase starts on a quiet gateway. */
    private static void drain(List<LoadLoop> loops) throws InterruptedException, ExecutionException {
        long until = System.nanoTime() + DRAIN.toNanos();
        while (System.nanoTime() < until) {
            int inFlight = 0;
            for (LoadLoop loop : loops) {
                inFlight += loop.executor().submit(loop::inFlight).get();
            }
            if (inFlight == 0) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        System.out.println("  (warning: requests still in flight " + DRAIN.toSeconds() + " s after the phase ended)");
    }
}
