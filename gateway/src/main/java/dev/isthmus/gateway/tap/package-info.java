/**
 * Tap: a live, sampled view of the requests a gateway proxies, for {@code isthmus tap} and the dashboard.
 * The data path calls {@link dev.isthmus.gateway.tap.Tap#watching()} (one volatile read) where a request's
 * outcome is counted, and builds a {@link dev.isthmus.gateway.tap.TapEvent} only while someone watches. Each
 * watcher has a bounded buffer; when it is full, events are dropped and counted, never waited for.
 * This package is a leaf: it imports nothing of the gateway, so both {@code http} and {@code admin} can use it.
 */
package dev.isthmus.gateway.tap;
