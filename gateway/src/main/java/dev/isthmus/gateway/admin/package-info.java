/**
 * The admin listener: {@code /ready}, {@code /live}, {@code /metrics}, the dashboard's JSON, the links'
 * probe states and the tap stream. It reads what it is given (suppliers of routes and probe statuses, the
 * tap); must not import {@code inbound}, {@code outbound}, {@code http}, {@code config} or the root package.
 */
package dev.isthmus.gateway.admin;
