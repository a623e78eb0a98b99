/**
 * A small typed view of parsed YAML with precise error messages, shared by the configuration file and the
 * route file. A leaf: imports nothing of the gateway.
 */
package dev.isthmus.gateway.yaml;
