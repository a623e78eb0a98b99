package dev.isthmus.issuer;

import dev.isthmus.identity.SpiffeId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A token verifier as slow as a stuck API server: every call waits until the test releases it. */
final class BlockingVerifier implements TokenVerifier {

    private final TokenVerifier delegate;
    private final CountDownLatch release = new CountDownLatch(1);
    private final Semaphore entered = new Semaphore(0);

    BlockingVerifier(TokenVerifier delegate) {
        this.delegate = delegate;
    }

    @Override
    public SpiffeId verify(String token) {
        entered.release();
        try {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new TokenVerifierUnavailableException("the test never released the verifier", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenVerifierUnavailableException("interrupted", e);
        }
        return delegate.verify(token);
    }

    /** Waits until a call is waiting. */
    void awaitCall() throws InterruptedException {
        if (!entered.tryAcquire(15, TimeUnit.SECONDS)) {
            throw new AssertionError("no verification started within 15 s");
        }
    }

    void release() {
        release.countDown();
    }
}
