package io.treestore.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Describes one operation of a store, so that a transport can expose a store it has never
 * seen: the name, whether it writes, the request and response types (Java records that a
 * transport maps to and from JSON or protobuf by their components), a description, the
 * handler, and whether its work is bounded.
 *
 * <p>A <em>bounded</em> operation is a read whose work does not grow with the data: a lookup of
 * one record or of a few records found through an index (a node, its children, its path to the
 * root), taking microseconds. A transport may run a bounded operation on its network I/O
 * thread instead of handing it to a worker thread, which saves a thread hand-off (tens of
 * microseconds on a loaded machine) per call; while it runs, that I/O thread serves no other
 * connection, so an operation that scans, searches or returns a whole tree must not be
 * declared bounded. Writes are never bounded: they wait for the log to sync.
 *
 * @param <Q> the request type
 * @param <R> the response type
 * @param name the operation name in UpperCamelCase, such as {@code GetNode}: 1 to 64 ASCII
 *     letters and digits starting with a capital letter
 * @param kind read or write
 * @param requestType the request class
 * @param responseType the response class
 * @param description one sentence for documentation and {@code --help}
 * @param handler the code
 * @param bounded whether the operation is a bounded read (see above); always {@code false} for
 *     writes
 */
public record StoreOperation<Q, R>(String name, OperationKind kind, Class<Q> requestType,
    Class<R> responseType, String description, OperationHandler<Q, R> handler,
    boolean bounded) {
  private static final Pattern NAME = Pattern.compile("[A-Z][A-Za-z0-9]{0,63}");

  /**
   * Validates the description.
   *
   * @throws IllegalArgumentException if the name is invalid, or a write is declared bounded
   * @throws NullPointerException if any argument is null
   */
  public StoreOperation {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(requestType, "requestType");
    Objects.requireNonNull(responseType, "responseType");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(handler, "handler");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("operation name must match " + NAME + ", was '" + name
          + "'");
    }
    if (bounded && kind == OperationKind.WRITE) {
      throw new IllegalArgumentException("operation " + name + " writes, so it cannot be"
          + " bounded: a write waits for the log to sync");
    }
  }

  /**
   * Describes an operation that is not bounded.
   *
   * @param name the name
   * @param kind read or write
   * @param requestType the request class
   * @param responseType the response class
   * @param description one sentence
   * @param handler the code
   * @throws IllegalArgumentException if the name is invalid
   * @throws NullPointerException if any argument is null
   */
  public StoreOperation(String name, OperationKind kind, Class<Q> requestType,
      Class<R> responseType, String description, OperationHandler<Q, R> handler) {
    this(name, kind, requestType, responseType, description, handler, false);
  }

  /**
   * Declares a read operation.
   *
   * @param <Q> the request type
   * @param <R> the response type
   * @param name the name
   * @param requestType the request class
   * @param responseType the response class
   * @param description one sentence
   * @param handler the code
   * @return the operation
   */
  public static <Q, R> StoreOperation<Q, R> read(String name, Class<Q> requestType,
      Class<R> responseType, String description, OperationHandler<Q, R> handler) {
    return new StoreOperation<>(name, OperationKind.READ, requestType, responseType,
        description, handler, false);
  }

  /**
   * Declares a bounded read operation: a lookup whose work does not grow with the data, which
   * a transport may run on its I/O thread (see the class comment).
   *
   * @param <Q> the request type
   * @param <R> the response type
   * @param name the name
   * @param requestType the request class
   * @param responseType the response class
   * @param description one sentence
   * @param handler the code
   * @return the operation
   * @throws IllegalArgumentException if the name is invalid
   * @throws NullPointerException if any argument is null
   */
  public static <Q, R> StoreOperation<Q, R> lookup(String name, Class<Q> requestType,
      Class<R> responseType, String description, OperationHandler<Q, R> handler) {
    return new StoreOperation<>(name, OperationKind.READ, requestType, responseType,
        description, handler, true);
  }

  /**
   * Declares a write operation.
   *
   * @param <Q> the request type
   * @param <R> the response type
   * @param name the name
   * @param requestType the request class
   * @param responseType the response class
   * @param description one sentence
   * @param handler the code
   * @return the operation
   */
  public static <Q, R> StoreOperation<Q, R> write(String name, Class<Q> requestType,
      Class<R> responseType, String description, OperationHandler<Q, R> handler) {
    return new StoreOperation<>(name, OperationKind.WRITE, requestType, responseType,
        description, handler, false);
  }

  /**
   * Runs the handler after checking the request's type.
   *
   * @param tx the transaction
   * @param request the request
   * @return the response
   * @throws StoreException with {@link ErrorCode#INVALID_ARGUMENT} if the request has the
   *     wrong type or is null
   */
  public R invoke(io.treestore.txn.Transaction tx, Object request) {
    if (!requestType.isInstance(request)) {
      throw StoreException.invalid("operation " + name + " takes a " + requestType.getSimpleName()
          + ", not " + (request == null ? "null" : request.getClass().getSimpleName()));
    }
    return handler.handle(tx, requestType.cast(request));
  }
}
