package dev.perfkit.ratelimit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits calls to a method, or to every method of a class, by a named tier.
 * <p>
 * On a Spring MVC handler the limit binds to the resolved handler method (never a URI
 * pattern) and a rejection becomes a {@code 429}. On any other Spring bean a rejection
 * throws {@link RateLimitExceededException}, or, with {@link #maxWait()}, the call waits
 * up to that long for a permit (for clients of an external API's quota). A method's
 * annotations win over its class's. Repeat the annotation to limit one call by several
 * keys, such as per IP and per account on a login.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(RateLimit.List.class)
public @interface RateLimit {

	/**
	 * The tier's name, one of {@link Tiers} or a tier configured under
	 * {@code perfkit.rate-limit.tiers.<name>}.
	 * @return the tier
	 */
	String tier();

	/**
	 * A SpEL expression for the key, over the method's arguments (by name, {@code #email})
	 * and {@code #request}. Empty means the tier's configured key kind.
	 * @return the key expression
	 */
	String key() default "";

	/**
	 * How many permits one call takes.
	 * @return the cost, at least 1
	 */
	long cost() default 1;

	/**
	 * For outbound calls: how long to wait for a permit before giving up, as a duration
	 * such as {@code 5s}. Empty means never wait: reject at once.
	 * @return the bound on waiting
	 */
	String maxWait() default "";

	/**
	 * Holds repeated {@link RateLimit} annotations.
	 */
	@Target({ ElementType.METHOD, ElementType.TYPE })
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface List {

		/**
		 * The annotations.
		 * @return the annotations
		 */
		RateLimit[] value();

	}

}
