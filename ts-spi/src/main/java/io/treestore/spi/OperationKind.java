package io.treestore.spi;

/** Whether an operation only reads or also writes. */
public enum OperationKind {
  /** Runs in a read-only transaction (a consistent snapshot); never conflicts. */
  READ,
  /** Runs in a read-write transaction, retried on conflict when the caller owns it. */
  WRITE
}
