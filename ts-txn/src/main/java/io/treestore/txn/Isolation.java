package io.treestore.txn;

/** The isolation level of a read-write transaction. */
public enum Isolation {
  /**
   * Snapshot isolation (the default): reads see the committed state as of {@code begin} plus
   * the transaction's own writes; a commit fails with {@link ConflictException} if another
   * transaction committed a write (put or delete) to one of the same keys after this one
   * began (first committer wins; Berenson et al., "A Critique of ANSI SQL Isolation Levels",
   * SIGMOD 1995). Write skew is possible.
   */
  SNAPSHOT,
  /**
   * Serializable: snapshot isolation plus optimistic backward validation of everything read
   * (Kung and Robinson, "On Optimistic Methods for Concurrency Control", TODS 1981): a commit
   * also fails if a transaction that committed after this one began wrote a key this one read
   * or a key inside a range this one scanned (so neither write skew nor phantoms occur).
   * Read-only transactions are validated too.
   */
  SERIALIZABLE
}
