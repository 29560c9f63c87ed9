package io.treestore.btree;

import java.util.List;

/**
 * The outcome of {@link BTreeFile#check()}: the problems found in the durable state (empty
 * when the file is sound) and what was counted.
 *
 * @param problems one line per problem, naming the page (and so the offset
 *     {@code page * pageSize}) concerned
 * @param generation the durable generation checked
 * @param pageCount pages of the durable state
 * @param nodes leaf and branch pages of all trees, the catalog and the free list
 * @param overflowPages overflow pages of large values
 * @param freePages pages listed as free
 * @param entries entries of the user trees
 * @param trees number of user trees
 */
public record CheckReport(List<String> problems, long generation, long pageCount, long nodes,
    long overflowPages, long freePages, long entries, int trees) {

  /**
   * Tells whether no problem was found.
   *
   * @return {@code true} if {@link #problems()} is empty
   */
  public boolean ok() {
    return problems.isEmpty();
  }
}
