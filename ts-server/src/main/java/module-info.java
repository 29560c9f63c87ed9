/**
 * The bundled HTTP/JSON and gRPC transport plugin and the {@code treestore} command-line tool.
 *
 * <p>Status: not built yet; this module holds no types so far.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.server {
  requires static transitive org.jspecify;
  requires io.treestore.spi;
}
