/**
 * Auto-configuration for perfkit: one sub-package per capability, plus what they share
 * (the master switch, configuration failure analysis).
 */
package dev.perfkit.autoconfigure;
