/**
 * Query insight: a datasource-proxy listener that keeps bounded per-fingerprint
 * statistics, writes a slow-query log after completion with the real duration, and finds
 * N+1 patterns inside a request or transaction scope.
 */
package dev.perfkit.query;
