package jp.inkan.ca.municipality;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "municipality")
class MunicipalityEntity {
    @Id
    @Column(name = "code", length = 6)
    String code;

    @Column(name = "prefecture", nullable = false)
    String prefecture;

    @Column(name = "name", nullable = false)
    String name;

    Municipality toDomain() {
        return new Municipality(code, prefecture, name);
    }
}
