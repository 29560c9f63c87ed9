/**
 * The bundled stores: documents (PageIndex trees), versions, agent metadata and prompts,
 * each a plugin of {@code ts-spi}.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.stores {
  requires static transitive org.jspecify;
  requires transitive io.treestore.spi;
  requires tools.jackson.databind;

  exports io.treestore.stores.documents;
  exports io.treestore.stores.metadata;
  exports io.treestore.stores.prompts;

  provides io.treestore.spi.StoreProvider with
      io.treestore.stores.documents.DocumentStoreProvider,
      io.treestore.stores.documents.VersionStoreProvider,
      io.treestore.stores.metadata.MetadataStoreProvider,
      io.treestore.stores.prompts.PromptStoreProvider;
}
