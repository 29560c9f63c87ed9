package io.treestore.server.http;

/**
 * An HTTP error answer: a status, the error code of the JSON body and a message.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String code;
  final long retryAfterSeconds;

  ApiError(int status, String code, String message) {
    this(status, code, message, 0);
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
