/**
 * The bundled stores: documents (PageIndex trees), versions, agent metadata and prompts,
 * each a plugin of {@code ts-spi}.
 *
 * <p>Status: not built yet; this module holds no types so far.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.stores {
  requires static transitive org.jspecify;
  requires io.treestore.spi;
}
