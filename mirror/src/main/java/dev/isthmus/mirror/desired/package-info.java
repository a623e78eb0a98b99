/**
 * Pure functions of what should exist: a mirrored Service and its EndpointSlice from a remote Service and a
 * Link, and the gateway ports each holds (allocation, and the older claim's right to a contested port).
 * Imports {@code kube} and {@code link}; never a client, an informer or a controller.
 */
package dev.isthmus.mirror.desired;
