/**
 * Traffic splits: the TrafficSplit resource, the apex Service each accepted split gets, and the single-key
 * controller that writes apexes. Builds on {@code loop}; reads {@code desired} and {@code kube}; must not
 * import {@code controller} or {@code routes}.
 */
package dev.isthmus.mirror.split;
