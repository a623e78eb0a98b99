/**
 * What the gateway was told: {@link dev.isthmus.gateway.config.GatewayConfig} and the YAML file it is read
 * from. Only the composition root (and the command line) read it; the root hands each part the values it
 * needs (outbound gets an {@code OutboundSettings}, not the whole configuration). May import the parts whose
 * settings it holds (policy, probe, http's {@code GatewayId}); nothing but the root imports it.
 */
package dev.isthmus.gateway.config;
