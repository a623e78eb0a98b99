/**
 * Admission: the connection limit each listener (inbound, and the outbound listeners together) applies
 * before any TLS or protocol work. Shared by both sides, so it lives in neither. Imports only {@code metrics}.
 */
package dev.isthmus.gateway.limit;
