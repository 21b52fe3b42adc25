/**
 * Auto-configuration of perfkit's two-tier cache: the {@code CacheManager}, its
 * properties, health indicator and the opt-in {@code X-Cache-Status} header.
 */
package dev.perfkit.autoconfigure.cache;
