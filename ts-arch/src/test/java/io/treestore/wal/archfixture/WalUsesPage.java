package io.treestore.wal.archfixture;

import io.treestore.page.PageFile;

/**
 * Architecture-test fixture that breaks the layering on purpose: ts-wal depends on the JDK
 * only, yet this class in its package uses {@link PageFile} of ts-page. Read only by
 * {@code io.treestore.arch.RulesCatchViolationsTest}.
 */
public final class WalUsesPage {
  private WalUsesPage() {}

  /**
   * Uses a page file, which ts-wal must never do.
   *
   * @param file any page file
   * @return its page size
   */
  public static int pageSizeOf(PageFile file) {
    return file.pageSize();
  }
}
