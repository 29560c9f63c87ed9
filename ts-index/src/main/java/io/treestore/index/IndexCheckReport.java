package io.treestore.index;

import java.util.List;

/**
 * What {@link Table#check} found.
 *
 * @param table the table name
 * @param records records read from the primary keyspace
 * @param entries entries read from the index keyspaces
 * @param problemCount every problem found (may exceed {@code problems.size()})
 * @param problems the first problems found, at most the limit given to the check
 */
public record IndexCheckReport(String table, long records, long entries, long problemCount,
    List<IndexProblem> problems) {
  /**
   * Copies the list.
   *
   * @throws NullPointerException if an argument is null
   */
  public IndexCheckReport {
    problems = List.copyOf(problems);
  }

  /**
   * Tells whether the table and its indexes agree.
   *
   * @return {@code true} if no problem was found
   */
  public boolean ok() {
    return problemCount == 0;
  }
}
