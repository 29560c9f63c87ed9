/**
 * The {@code metadata} store: tool results, search trajectories, cross-references and
 * contradictions recorded by agents.
 */
package io.treestore.stores.metadata;
