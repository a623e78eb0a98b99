package dev.isthmus.issuer;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;

/** Waits for something a background poll brings about, failing with what was last seen. */
final class Await {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private Await() {}

    static void until(String what, Callable<Boolean> condition) throws Exception {
        // ignoreExceptions: a failing call is "not yet"; a timeout carries the last one as its cause.
        Awaitility.await(what).atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25))
                .ignoreExceptions().until(condition);
    }
}
