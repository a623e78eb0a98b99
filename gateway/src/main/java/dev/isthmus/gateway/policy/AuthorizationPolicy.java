package dev.isthmus.gateway.policy;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import java.util.Set;

/**
 * Which authenticated peers may use the gateway. With no lists, any identity of the trust domain may;
 * with lists, a peer must be named by one of them: its exact identity, its namespace, or its trust
 * domain (where clusters have trust domains of their own).
 */
public record AuthorizationPolicy(String trustDomain, Set<SpiffeId> identities, Set<String> namespaces,
        Set<String> trustDomains) {

    public AuthorizationPolicy {
        requireNonNull(trustDomain, "trustDomain");
        identities = Set.copyOf(identities);
        namespaces = Set.copyOf(namespaces);
        trustDomains = Set.copyOf(trustDomains);
    }

    public static AuthorizationPolicy trustDomain(String trustDomain) {
        return new AuthorizationPolicy(trustDomain, Set.of(), Set.of(), Set.of());
    }

    public boolean allows(SpiffeId peer) {
        if (identities.isEmpty() && namespaces.isEmpty() && trustDomains.isEmpty()) {
            return peer.trustDomain().equals(trustDomain);
        }
        return identities.contains(peer)
                || trustDomains.contains(peer.trustDomain())
                || (peer.trustDomain().equals(trustDomain) && namespaces.contains(peer.namespace()));
    }

    @Override
    public String toString() {
        if (identities.isEmpty() && namespaces.isEmpty() && trustDomains.isEmpty()) {
            return "any identity in trust domain " + trustDomain;
        }
        return "identities " + identities + ", namespaces " + namespaces + " of " + trustDomain + ", trust domains " + trustDomains;
    }
}
