package dev.isthmus.issuer;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Every error the service answers with: its HTTP status and the code in the JSON body. */
enum Failure {
    BAD_REQUEST(400, "bad_request"),
    BAD_CSR(400, "bad_csr"),
    UNAUTHENTICATED(401, "unauthenticated"),
    IDENTITY_MISMATCH(403, "identity_mismatch"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    PAYLOAD_TOO_LARGE(413, "payload_too_large"),
    URI_TOO_LONG(414, "uri_too_long"),
    EXPECTATION_FAILED(417, "expectation_failed"),
    HEADERS_TOO_LARGE(431, "headers_too_large"),
    INTERNAL_ERROR(500, "internal_error"),
    /** No issuer can sign, or tokens cannot be checked: try again later. */
    NOT_READY(503, "not_ready"),
    /** Every verifier thread is busy and the queue is full: try again soon. */
    OVERLOADED(503, "overloaded");

    private final HttpResponseStatus status;
    private final String code;

    Failure(int status, String code) {
        this.status = HttpResponseStatus.valueOf(status);
        this.code = code;
    }

    HttpResponseStatus status() {
        return status;
    }

    String code() {
        return code;
    }
}
