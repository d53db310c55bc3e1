package jp.inkan.ca.municipality;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.Optional;

/** The municipalities this CA issues for (reference data; Flyway seeds a sample set). */
@ApplicationScoped
public class MunicipalityRegistry implements PanacheRepositoryBase<MunicipalityEntity, String> {

    @Transactional
    public Optional<Municipality> find(String code) {
        return findByIdOptional(code).map(MunicipalityEntity::toDomain);
    }
}
