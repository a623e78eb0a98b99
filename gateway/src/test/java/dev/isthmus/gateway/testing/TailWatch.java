package dev.isthmus.gateway.testing;

import dev.isthmus.gateway.pipeline.PipelineTail;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * Fails a test when an exception or a message reached the end of any gateway pipeline while it ran
 * ({@link PipelineTail}): something no handler dealt with. Use with {@code @ExtendWith(TailWatch.class)}.
 */
public final class TailWatch implements BeforeEachCallback, AfterEachCallback {

    private static final Namespace NAMESPACE = Namespace.create(TailWatch.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("exceptions", PipelineTail.exceptions());
        context.getStore(NAMESPACE).put("messages", PipelineTail.messages());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        long exceptions = PipelineTail.exceptions() - context.getStore(NAMESPACE).get("exceptions", Long.class);
        long messages = PipelineTail.messages() - context.getStore(NAMESPACE).get("messages", Long.class);
        if (exceptions > 0) {
            throw new AssertionError("exceptions that reached a pipeline tail: " + exceptions + " (expected: 0); the latest:",
                    PipelineTail.lastException());
        }
        if (messages > 0) {
            throw new AssertionError("messages that reached a pipeline tail: " + messages + " (expected: 0)");
        }
    }
}
