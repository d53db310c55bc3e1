package jp.inkan.registration.municipality;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "municipality")
public class MunicipalityEntity extends PanacheEntityBase {

    @Id
    @Column(name = "code")
    public String code;

    @Column(name = "prefecture", nullable = false)
    public String prefecture;

    @Column(name = "name", nullable = false)
    public String name;

    @Column(name = "client_subject", nullable = false)
    public String clientSubject;

    @Column(name = "client_certificate_sha256", nullable = false)
    public byte[] clientCertificateSha256;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
