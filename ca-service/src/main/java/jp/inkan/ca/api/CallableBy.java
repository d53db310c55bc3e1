package jp.inkan.ca.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The clients (names from {@code inkan.ca.api.clients}) that may call an endpoint. An endpoint
 * without it is callable by no one: each caller is granted what its job needs, nothing more.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface CallableBy {
    String[] value();
}
