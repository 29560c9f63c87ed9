package io.treestore.spi;

import io.treestore.txn.Transaction;

/**
 * The code of one store operation.
 *
 * @param <Q> the request type
 * @param <R> the response type
 */
@FunctionalInterface
public interface OperationHandler<Q, R> {
  /**
   * Runs the operation in a transaction. The handler must not commit or roll back; it may run
   * more than once (after a conflict), so it must have no side effects outside the
   * transaction.
   *
   * @param tx the transaction (read-only for {@link OperationKind#READ} operations)
   * @param request the request, already of the declared type
   * @return the response
   * @throws StoreException for bad input, unknown ids and other expected failures
   */
  R handle(Transaction tx, Q request);
}
