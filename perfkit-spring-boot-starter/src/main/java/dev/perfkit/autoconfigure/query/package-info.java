/**
 * Auto-configuration of perfkit's database insight: every {@code DataSource} bean wrapped
 * for statistics, slow-query log and N+1 detection; pool health; read-replica routing;
 * Hibernate pass-through.
 */
package dev.perfkit.autoconfigure.query;
