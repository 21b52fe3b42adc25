package dev.perfkit.sample.cache;

import java.math.BigDecimal;

/**
 * The price of a plan: changes rarely, cached for an hour.
 *
 * @param plan the plan name
 * @param monthly the monthly price
 * @param includedCredits credits included each month
 */
public record PlanPrice(String plan, BigDecimal monthly, long includedCredits) {
}
