/**
 * JMH benchmarks. Each class compares perfkit with the stock alternative in one run; see
 * docs/benchmarks.md for the figures and the command that reruns them.
 */
package dev.perfkit.benchmarks;
