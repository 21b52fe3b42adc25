/**
 * Auto-configuration of perfkit's one view of performance: the report engine over the
 * application's meter registry, the {@code perfkit} actuator endpoint with its text
 * report and dashboard, and the {@code perfkit} health group.
 */
package dev.perfkit.autoconfigure.observability;
