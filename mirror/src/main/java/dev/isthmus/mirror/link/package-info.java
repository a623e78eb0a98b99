/**
 * The Link resource: its spec and status as Java types, its settings checked with defaults applied, and the
 * credentials a source cluster holds for a target. Imports only {@code kube}; what a Link makes exist is
 * {@code desired}'s, and what is done with it is {@code controller}'s.
 */
package dev.isthmus.mirror.link;
