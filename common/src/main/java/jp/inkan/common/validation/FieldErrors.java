package jp.inkan.common.validation;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Collects every bad field of a request so one answer can list them all. */
public final class FieldErrors {

    public record FieldError(String field, String message) {
    }

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private final List<FieldError> list = new ArrayList<>();

    public void add(String field, String message) {
        list.add(new FieldError(field, message));
    }

    public List<FieldError> list() {
        return List.copyOf(list);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public boolean required(String field, Object value) {
        if (value == null || value instanceof String s && s.isBlank()) {
            add(field, "is required");
            return false;
        }
        return true;
    }

    /** Present, at most {@code max} characters, no control characters; true when so. */
    public boolean text(String field, String value, int max) {
        if (!required(field, value)) {
            return false;
        }
        if (length(value) > max) {
            add(field, "is longer than " + max + " characters");
            return false;
        }
        if (CONTROL.matcher(value).find()) {
            add(field, "contains control characters");
            return false;
        }
        return true;
    }

    public void matches(String field, String value, Pattern pattern, String message) {
        if (required(field, value) && !pattern.matcher(value).matches()) {
            add(field, message);
        }
    }

    public LocalDate date(String field, String value) {
        if (!required(field, value)) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            add(field, "must be an ISO-8601 date (YYYY-MM-DD)");
            return null;
        }
    }

    /** Characters as a reader counts them (code points, not UTF-16 units). */
    public static int length(String text) {
        return text.codePointCount(0, text.length());
    }
}
