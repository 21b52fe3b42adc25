/**
 * Redis access shared by perfkit's engines: one Lettuce connection per engine over the
 * application's own native client, with a command timeout and a circuit breaker so that
 * a Redis outage costs a caller nothing but a fast failure.
 */
package dev.perfkit.redis;
