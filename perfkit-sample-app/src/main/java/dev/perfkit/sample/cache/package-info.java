/**
 * The sample's cached reads: agent statistics (2 minutes), pricing (1 hour) and credit
 * balances (60 seconds, evicted when credits change), through perfkit's two-tier cache.
 */
package dev.perfkit.sample.cache;
