/**
 * perfkit's two-tier cache: Caffeine in front of Redis behind Spring's cache abstraction,
 * kept coherent across instances by invalidation messages, and serving on when Redis is
 * down. {@link dev.perfkit.cache.TwoTierCacheManager} is the entry point.
 */
package dev.perfkit.cache;
