/**
 * JMH benchmarks of TreeStore's modules and of peer engines measured in the same run.
 * See {@code docs/benchmarks.md} for the commands and the recorded figures.
 */
package io.treestore.bench;
