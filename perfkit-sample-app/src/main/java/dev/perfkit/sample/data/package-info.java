/**
 * The sample's data feature: agents with executions and logs, projects and credit
 * transactions on JPA, with a deliberate N+1 endpoint and its fetch-join twin, a slow
 * report query and a read-only listing that goes to the read replica.
 */
package dev.perfkit.sample.data;
