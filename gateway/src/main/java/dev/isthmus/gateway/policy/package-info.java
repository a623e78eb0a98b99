/** Which authenticated peers may use the gateway at all. A part: imports nothing of the gateway. */
package dev.isthmus.gateway.policy;
