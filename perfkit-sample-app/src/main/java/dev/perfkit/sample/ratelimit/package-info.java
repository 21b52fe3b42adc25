/**
 * The sample's rate-limited endpoints: login and magic link, agents, webhooks and a
 * plan-metered scan. Settings in {@code sample-rate-limit.yml}.
 */
package dev.perfkit.sample.ratelimit;
