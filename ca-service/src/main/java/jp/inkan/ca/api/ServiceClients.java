package jp.inkan.ca.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import jp.inkan.ca.config.CaConfig;

/** The services allowed to call ca-service ({@code inkan.ca.api.clients}): subject DN → client name. */
@ApplicationScoped
public class ServiceClients {

    private final Map<X500Principal, String> clients;

    public ServiceClients(CaConfig config) {
        this.clients = config.api().clients().entrySet().stream()
                .collect(Collectors.toMap(e -> new X500Principal(e.getValue()), Map.Entry::getKey));
    }

    public Optional<String> name(X500Principal subject) {
        return Optional.ofNullable(clients.get(subject));
    }
}
