/**
 * The gateway's route table from its own cluster's objects: one mapping per kind of object (exported
 * Services, mirrors, Links, TrafficSplits) and the single-key loop that rebuilds the table on change and
 * delivers it only when it differs. The one package of the mirror that imports the gateway's {@code routing}
 * types; nothing in the mirror imports it back.
 */
package dev.isthmus.mirror.routes;
