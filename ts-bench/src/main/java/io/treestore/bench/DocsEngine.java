package io.treestore.bench;

import io.treestore.stores.documents.DocumentApi;
import org.jspecify.annotations.Nullable;

/**
 * The document-tree operations {@link StoresBenchmark} measures, one adapter per engine
 * ({@link TreeStoreDocs}, {@link SqliteDocs}). Both return the same {@link DocumentApi}
 * records, filled with the same fields, so the engines do the same work per answer.
 * Reads name the version explicitly ({@value StoresCorpus#VERSION}).
 */
interface DocsEngine extends AutoCloseable {
  /**
   * Ingests a PageIndex tree as version {@value StoresCorpus#VERSION} of a new document, in
   * one durable transaction.
   *
   * @param docId the new document
   * @param json the PageIndex JSON
   * @return nodes stored
   */
  int ingest(String docId, String json);

  /**
   * Deletes a document (untimed clean-up of ingested documents).
   *
   * @param docId the document
   */
  void delete(String docId);

  /**
   * Returns one node.
   *
   * @param docId the document
   * @param nodeId the node
   * @return the node
   */
  DocumentApi.Node getNode(String docId, String nodeId);

  /**
   * Returns a node's children in document order.
   *
   * @param docId the document
   * @param nodeId the parent
   * @return the children
   */
  DocumentApi.NodeList getChildren(String docId, String nodeId);

  /**
   * Returns a node with its descendants.
   *
   * @param docId the document
   * @param nodeId the subtree's root
   * @param depth levels below the node, or {@code null} for all
   * @return the node with nested children
   */
  DocumentApi.Node getSubtree(String docId, String nodeId, @Nullable Integer depth);

  /**
   * Returns a node's ancestors, root first.
   *
   * @param docId the document
   * @param nodeId the node
   * @return the ancestors
   */
  DocumentApi.NodeList getAncestorPath(String docId, String nodeId);

  /**
   * Returns the nodes whose page range holds a page, outermost first, then in document order.
   *
   * @param docId the document
   * @param page the page
   * @return the nodes
   */
  DocumentApi.NodeList getNodesByPage(String docId, int page);

  /**
   * Returns the 10 best BM25 hits with their ancestors' titles and a snippet.
   *
   * @param query words (any of them may match)
   * @param docId only this document, or {@code null} for all
   * @return the hits
   */
  DocumentApi.SearchResult search(String query, @Nullable String docId);

  /**
   * Returns the engine's settings, for the run log.
   *
   * @return a one-line description
   */
  String settings();

  @Override
  void close();
}
