package dev.perfkit.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;

/**
 * Matches unless {@code perfkit.enabled} is {@code false}. Every perfkit
 * auto-configuration carries it, so that one property turns perfkit off entirely.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@Documented
@ConditionalOnBooleanProperty(name = "perfkit.enabled", matchIfMissing = true)
public @interface ConditionalOnPerfkitEnabled {

}
