/**
 * Pool insight for HikariCP, read from the pool's MXBean without ever borrowing a
 * connection: saturation, leak suspects with the borrower's stack, sizing hints; and
 * read-replica routing with fallback to the primary.
 */
package dev.perfkit.pool;
