package jp.inkan.common;

import java.util.Optional;

/**
 * A 全国地方公共団体コード: 2-digit prefecture, 3-digit municipality and a check digit over the
 * first five digits (weights 6,5,4,3,2; {@code (11 - sum mod 11) mod 10}).
 */
public record LocalGovernmentCode(String value) {

    public LocalGovernmentCode {
        String problem = problemWith(value).orElse(null);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why {@code candidate} is not a valid code, or empty when it is one. */
    public static Optional<String> problemWith(String candidate) {
        if (candidate == null || !candidate.matches("[0-9]{6}")) {
            return Optional.of("must be 6 digits");
        }
        if (checkDigit(candidate) != candidate.charAt(5) - '0') {
            return Optional.of("check digit does not match");
        }
        return Optional.empty();
    }

    static int checkDigit(String digits) {
        int[] weights = {6, 5, 4, 3, 2};
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i] * (digits.charAt(i) - '0');
        }
        return (11 - sum % 11) % 10;
    }

    public String prefectureCode() {
        return value.substring(0, 2);
    }

    @Override
    public String toString() {
        return value;
    }
}
