package io.treestore.spi;

import java.util.List;
import java.util.Objects;

/**
 * A failure a store reports to its caller, with a code that transports map to a status and a
 * message meant for the client. Stores throw it for bad input ({@link ErrorCode#INVALID_ARGUMENT},
 * possibly listing every problem in {@link #details()}), unknown ids and the like; a write
 * refused this way changes nothing.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The kind of failure. */
  private final ErrorCode code;

  /** Individual problems (for example one per invalid field), possibly empty. */
  private final List<String> details;

  /**
   * Creates the exception.
   *
   * @param code the kind of failure
   * @param message what went wrong, for the client
   */
  public StoreException(ErrorCode code, String message) {
    this(code, message, List.of(), null);
  }

  /**
   * Creates the exception with details and a cause.
   *
   * @param code the kind of failure
   * @param message what went wrong, for the client
   * @param details individual problems
   * @param cause the underlying exception, or {@code null}
   */
  public StoreException(ErrorCode code, String message, List<String> details,
      @org.jspecify.annotations.Nullable Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.details = List.copyOf(details);
  }

  /**
   * Creates an {@link ErrorCode#INVALID_ARGUMENT} exception.
   *
   * @param message what is wrong
   * @return the exception
   */
  public static StoreException invalid(String message) {
    return new StoreException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /**
   * Creates a {@link ErrorCode#NOT_FOUND} exception.
   *
   * @param message what is missing
   * @return the exception
   */
  public static StoreException notFound(String message) {
    return new StoreException(ErrorCode.NOT_FOUND, message);
  }

  /**
   * Returns the kind of failure.
   *
   * @return the code
   */
  public ErrorCode code() {
    return code;
  }

  /**
   * Returns the individual problems.
   *
   * @return an unmodifiable list, possibly empty
   */
  public List<String> details() {
    return details;
  }
}
