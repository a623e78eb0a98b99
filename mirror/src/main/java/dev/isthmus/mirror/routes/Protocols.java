package dev.isthmus.mirror.routes;

import dev.isthmus.gateway.routing.BackendProtocol;
import dev.isthmus.gateway.routing.ClientProtocol;
import dev.isthmus.mirror.kube.Metadata;
import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.Locale;

/** What a Service's ports speak, as its protocol annotation (which wins) or its ports' {@code appProtocol} declare. */
final class Protocols {

    private Protocols() {}

    /**
     * What the clients of a mirrored port speak, as the remote Service declares it (the mirror copies its protocol
     * annotation and its ports' {@code appProtocol}; the annotation wins), so that west's listener uses it instead
     * of guessing from the client's bytes. Nothing declared, or a value the gateway does not know, leaves it to
     * detection: the route is still served, where the export side in the target would leave the port out.
     */
    static ClientProtocol client(Service service, ServicePort port) {
        try {
            BackendProtocol annotated = annotated(service);
            if (annotated != null) {
                return ClientProtocol.of(annotated);
            }
            String app = port.getAppProtocol();
            return app == null || app.isBlank() ? ClientProtocol.DETECT : ClientProtocol.of(app(port));
        } catch (Unmappable e) {
            return ClientProtocol.DETECT;
        }
    }

    /** The Service's protocol annotation, or null when it has none. */
    static BackendProtocol annotated(Service service) throws Unmappable {
        String value = Metadata.annotations(service).get(Names.PROTOCOL_ANNOTATION);
        if (value == null) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "http1" -> BackendProtocol.HTTP1;
            case "h2c" -> BackendProtocol.H2C;
            case "opaque" -> BackendProtocol.OPAQUE;
            default -> throw new Unmappable("annotation " + Names.PROTOCOL_ANNOTATION + ": '" + value
                    + "' (expected: http1, h2c or opaque)");
        };
    }

    /** The port's {@code appProtocol}; none means HTTP/1. */
    static BackendProtocol app(ServicePort port) throws Unmappable {
        String value = port.getAppProtocol();
        if (value == null || value.isBlank()) {
            return BackendProtocol.HTTP1;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "http", "kubernetes.io/http" -> BackendProtocol.HTTP1;
            case "h2c", "kubernetes.io/h2c" -> BackendProtocol.H2C;
            case "tcp", "opaque" -> BackendProtocol.OPAQUE;
            default -> throw new Unmappable("appProtocol '" + value + "' (expected: http, kubernetes.io/http, h2c,"
                    + " kubernetes.io/h2c, tcp or opaque; or annotate the Service " + Names.PROTOCOL_ANNOTATION + ")");
        };
    }
}
