package jp.inkan.ca.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.error.CaException;
import jp.inkan.common.tls.PeerCertificate;

/**
 * Operators ({@code inkan.ca.operators.subjects}) call as the client {@value #CLIENT}; dual control
 * counts them by the name their certificate's subject maps to.
 */
@ApplicationScoped
public class OperatorIdentity {

    static final String CLIENT = "operator";

    private final Map<X500Principal, String> names;

    public OperatorIdentity(CaConfig config) {
        this.names = config.operators().subjects().entrySet().stream()
                .collect(Collectors.toMap(e -> new X500Principal(e.getValue()), Map.Entry::getKey));
    }

    Optional<String> name(X500Principal subject) {
        return Optional.ofNullable(names.get(subject));
    }

    /** The operator calling; the filter already admitted only operators to operator endpoints. */
    String of(HttpServerRequest request) {
        return PeerCertificate.of(request.sslSession()).map(c -> names.get(c.getSubjectX500Principal()))
                .orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND, "Not an operator."));
    }
}
