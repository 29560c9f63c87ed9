package io.treestore.spi;

/**
 * The kinds of failure a store reports, which transports map to their status codes (HTTP and
 * gRPC names given for each).
 */
public enum ErrorCode {
  /** Bad input: malformed, wrong type, out of range (HTTP 400, gRPC INVALID_ARGUMENT). */
  INVALID_ARGUMENT,
  /** An unknown id (HTTP 404, gRPC NOT_FOUND). */
  NOT_FOUND,
  /** The thing to create exists already (HTTP 409, gRPC ALREADY_EXISTS). */
  ALREADY_EXISTS,
  /** A concurrent change won; retrying may succeed (HTTP 409, gRPC ABORTED). */
  CONFLICT,
  /** The request is too large (HTTP 413, gRPC RESOURCE_EXHAUSTED). */
  TOO_LARGE,
  /** The database cannot serve now, e.g. read-only after a failure (HTTP 503, UNAVAILABLE). */
  UNAVAILABLE,
  /** The caller's deadline passed before the operation finished; nothing was written (HTTP
   *  504, gRPC DEADLINE_EXCEEDED). */
  DEADLINE_EXCEEDED,
  /** A bug or corruption (HTTP 500, gRPC INTERNAL). */
  INTERNAL
}
