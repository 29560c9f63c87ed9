package io.treestore.spi;

import java.util.List;

/**
 * What {@link TreeStore#check} found.
 *
 * @param problems one line per problem: the data file's (checksums, B+Tree invariants, page
 *     accounting, with file and offset where known), then each store's (index and full-text
 *     consistency), each prefixed with its area
 * @param pages pages of the data file read
 * @param checkpointLsn the LSN the checked state covers
 */
public record CheckResult(List<String> problems, long pages, long checkpointLsn) {
  /**
   * Copies the list.
   *
   * @throws NullPointerException if {@code problems} is null
   */
  public CheckResult {
    problems = List.copyOf(problems);
  }

  /**
   * Tells whether nothing is wrong.
   *
   * @return {@code true} if no problem was found
   */
  public boolean ok() {
    return problems.isEmpty();
  }
}
