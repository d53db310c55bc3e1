package jp.inkan.common;

import java.util.Optional;

/** Sex as coded in the signature certificate (OID 1.2.392.200149.8.5.5.3). */
public enum Sex {
    MALE(1), FEMALE(2), UNKNOWN(3);

    private final int code;

    Sex(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<Sex> ofCode(Integer code) {
        if (code == null) {
            return Optional.empty();
        }
        for (Sex sex : values()) {
            if (sex.code == code) {
                return Optional.of(sex);
            }
        }
        return Optional.empty();
    }
}
