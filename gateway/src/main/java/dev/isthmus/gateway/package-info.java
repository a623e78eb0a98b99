/**
 * The composition root: {@link dev.isthmus.gateway.Gateway} builds every collaborator once and hands each
 * to the parts that use it. No other package of the gateway imports this one (ArchitectureTest holds it);
 * shared vocabulary lives in {@code pipeline}, settings in {@code config}, meters in {@code metrics}.
 */
package dev.isthmus.gateway;
