package dev.perfkit.sample.cache;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * The price of a plan: changes rarely, cached for an hour. {@link Serializable} so that
 * Boot's own Redis cache (JDK serialization) can store it when perfkit is off; perfkit
 * stores it as JSON.
 *
 * @param plan the plan name
 * @param monthly the monthly price
 * @param includedCredits credits included each month
 */
public record PlanPrice(String plan, BigDecimal monthly, long includedCredits) implements Serializable {
}
