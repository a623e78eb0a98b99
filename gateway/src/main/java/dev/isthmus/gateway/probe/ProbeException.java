package dev.isthmus.gateway.probe;

/** A probe that failed; the message says where and why, in words fit for a status line. */
final class ProbeException extends Exception {

    ProbeException(String message) {
        super(message, null, false, false); // the message is the whole story; a stack trace per probe is not
    }

    ProbeException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
