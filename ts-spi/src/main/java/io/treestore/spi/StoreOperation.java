package io.treestore.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Describes one operation of a store, so that a transport can expose a store it has never
 * seen: the name, whether it writes, the request and response types (Java records that a
 * transport maps to and from JSON or protobuf by their components), a description, and the
 * handler.
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
 */
public record StoreOperation<Q, R>(String name, OperationKind kind, Class<Q> requestType,
    Class<R> responseType, String description, OperationHandler<Q, R> handler) {
  private static final Pattern NAME = Pattern.compile("[A-Z][A-Za-z0-9]{0,63}");

  /**
   * Validates the description.
   *
   * @throws IllegalArgumentException if the name is invalid
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
        description, handler);
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
        description, handler);
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
