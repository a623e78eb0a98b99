package dev.isthmus.identity.issuer;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for something a background poll brings about, failing with what was last seen. */
final class Await {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private Await() {}

    static void until(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("timed out after " + PATIENCE.toSeconds() + " s waiting until " + what, last);
    }
}
