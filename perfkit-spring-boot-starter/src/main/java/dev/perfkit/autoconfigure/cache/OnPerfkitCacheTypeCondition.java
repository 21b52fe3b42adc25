package dev.perfkit.autoconfigure.cache;

import java.util.Locale;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when Boot's {@code spring.cache.type} leaves the choice open (unset) or names
 * perfkit ({@code perfkit}). Any other type ({@code none}, {@code simple},
 * {@code caffeine}, {@code redis}, ...) is the application asking Boot for that cache, so
 * perfkit backs off and Boot's {@code CacheAutoConfiguration} provides it.
 * <p>
 * The property is read as a string rather than bound to Boot's {@code CacheType} enum,
 * which has no {@code perfkit} constant.
 */
class OnPerfkitCacheTypeCondition extends SpringBootCondition {

	static final String PROPERTY = "spring.cache.type";

	static final String PERFKIT = "perfkit";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("perfkit cache type");
		String type = context.getEnvironment().getProperty(PROPERTY);
		if (type == null || type.isBlank()) {
			return ConditionOutcome.match(message.because(PROPERTY + " is not set"));
		}
		if (PERFKIT.equals(type.trim().toLowerCase(Locale.ROOT))) {
			return ConditionOutcome.match(message.because(PROPERTY + " is " + PERFKIT));
		}
		return ConditionOutcome.noMatch(message.because(PROPERTY + " is " + type));
	}

}
