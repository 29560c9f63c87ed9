package io.treestore.server.http;

/**
 * An error answer of a transport: an HTTP status, the error code of the answer (gRPC status
 * names: {@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}, {@code RESOURCE_EXHAUSTED} ...)
 * and a message.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status. */
  final int status;
  /** The error code. */
  final String code;
  /** Seconds a client should wait before retrying, or 0. */
  final long retryAfterSeconds;

  ApiError(int status, String code, String message) {
    this(status, code, message, 0);
  }

  /**
   * Returns the error code.
   *
   * @return for example {@code UNAUTHENTICATED}
   */
  public String code() {
    return code;
  }

  /**
   * Returns the HTTP status.
   *
   * @return for example 401
   */
  public int status() {
    return status;
  }

  ApiError(int status, String code, String message, long retryAfterSeconds) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, "INVALID_ARGUMENT", message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, "NOT_FOUND", message);
  }
}
