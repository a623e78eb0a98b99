package dev.isthmus.identity.ca;

import dev.isthmus.identity.SpiffeId;

/** A well-formed request for an identity other than the one its requester proved. */
public final class IdentityMismatchException extends RuntimeException {
    public IdentityMismatchException(SpiffeId requested, SpiffeId proven) {
        super("the request asks for " + requested + " but the token proves " + proven);
    }
}
