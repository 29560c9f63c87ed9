package io.treestore.stores.documents;

import io.treestore.index.Utf8Text;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The request and response types of the {@code documents} and {@code versions} stores. All are
 * records; transports map their components to JSON fields in snake_case ({@code docId} →
 * {@code doc_id}). A {@code version} or {@code asOf} component selects the version a read
 * uses (at most one of them; neither means the version in effect today, UTC); dates are ISO
 * {@code YYYY-MM-DD}.
 */
public final class DocumentApi {
  private DocumentApi() {}

  /**
   * Ingests a PageIndex tree as a new version of a document.
   *
   * @param docId the document id: 1 to 200 characters, no control characters or {@code /}
   * @param versionId the new version's id (same rules), or {@code null} for a fresh one
   * @param effectiveDate the date the version takes effect, or {@code null} for today (UTC)
   * @param json the PageIndex JSON as it comes ({@code doc_name}, {@code doc_description},
   *     {@code structure} with nested {@code nodes}); the nodes' page ranges may hold at most
   *     1,000,000 pages together
   */
  public record StoreDocument(String docId, @Nullable String versionId,
      @Nullable String effectiveDate, String json) {}

  /**
   * The answer to {@link StoreDocument}.
   *
   * @param docId the document
   * @param versionId the version created
   * @param nodeCount nodes stored
   * @param warnings quirks of the input that were accepted (for example
   *     {@code end_index < start_index}), empty if none
   */
  public record Stored(String docId, String versionId, int nodeCount, List<String> warnings) {}

  /**
   * Names a document.
   *
   * @param docId the document id
   */
  public record DocumentRef(String docId) {}

  /**
   * Lists documents (no parameters).
   *
   * @param limit the most documents to return, 1 to 100,000, or {@code null} for 10,000
   */
  public record ListDocuments(@Nullable Integer limit) {}

  /**
   * A document's metadata, as of its version in effect today (or its latest version when
   * none is in effect yet).
   *
   * @param docId the document
   * @param docName the tree's {@code doc_name}
   * @param docDescription the tree's {@code doc_description}
   * @param versionId the version described
   * @param effectiveDate that version's effective date
   * @param nodeCount that version's nodes
   * @param versions how many versions the document has
   */
  public record DocumentInfo(String docId, @Nullable String docName,
      @Nullable String docDescription, String versionId, String effectiveDate, int nodeCount,
      int versions) {}

  /**
   * The answer to {@link ListDocuments}.
   *
   * @param documents by document id
   */
  public record DocumentList(List<DocumentInfo> documents) {}

  /**
   * The answer to a delete.
   *
   * @param docId the document
   * @param versions versions removed
   * @param nodes nodes removed (over all versions)
   */
  public record Deleted(String docId, int versions, int nodes) {}

  /**
   * Names a node.
   *
   * @param docId the document
   * @param nodeId the node
   * @param version a version id, or {@code null}
   * @param asOf a date, or {@code null}
   */
  public record NodeRef(String docId, String nodeId, @Nullable String version,
      @Nullable String asOf) {}

  /**
   * Asks for a node with its descendants.
   *
   * @param docId the document
   * @param nodeId the subtree's root
   * @param depth levels below the node to include (0 = the node alone), or {@code null} for
   *     all
   * @param version a version id, or {@code null}
   * @param asOf a date, or {@code null}
   */
  public record SubtreeRef(String docId, String nodeId, @Nullable Integer depth,
      @Nullable String version, @Nullable String asOf) {}

  /**
   * Asks for a whole tree.
   *
   * @param docId the document
   * @param depth levels below the roots, or {@code null} for all
   * @param version a version id, or {@code null}
   * @param asOf a date, or {@code null}
   */
  public record TreeRef(String docId, @Nullable Integer depth, @Nullable String version,
      @Nullable String asOf) {}

  /**
   * Asks for the nodes covering a page.
   *
   * @param docId the document
   * @param page the page number, {@code >= 0}
   * @param version a version id, or {@code null}
   * @param asOf a date, or {@code null}
   */
  public record PageRef(String docId, int page, @Nullable String version,
      @Nullable String asOf) {}

  /**
   * Asks for the node at an outline position.
   *
   * @param docId the document
   * @param sectionPath such as {@code "2.1.3"}
   * @param version a version id, or {@code null}
   * @param asOf a date, or {@code null}
   */
  public record PathRef(String docId, String sectionPath, @Nullable String version,
      @Nullable String asOf) {}

  /**
   * A node as stored.
   *
   * @param docId the document
   * @param versionId the version it belongs to
   * @param nodeId its id
   * @param parentId its parent's id, {@code null} for a root
   * @param title the title
   * @param pageStart the first page, or {@code null} if the tree gave none
   * @param pageEnd the last page ({@code >= pageStart})
   * @param summary the summary, or {@code null}
   * @param prefixSummary the prefix summary, or {@code null}
   * @param text the text (in a PageIndex tree with page texts, the text of the node's pages:
   *     up to hundreds of kilobytes), or {@code null}; held as the stored UTF-8 bytes and
   *     decoded only when {@link Utf8Text#toString()} or another char method is first called,
   *     so a read that passes nodes on without reading their texts (or writes them to a UTF-8
   *     wire format with {@link Utf8Text#writeUtf8To}) never decodes them
   * @param sectionPath the 1-based outline position, such as {@code "2.1.3"}
   * @param depth 0 for roots
   * @param childIds the children's ids in document order
   * @param attributes every other field of the PageIndex node, verbatim (and the raw page
   *     numbers of a node whose {@code end_index < start_index}), or {@code null}
   * @param children for subtree and tree answers, the children down to the requested depth;
   *     {@code null} otherwise
   */
  public record Node(String docId, String versionId, String nodeId, @Nullable String parentId,
      String title, @Nullable Integer pageStart, @Nullable Integer pageEnd,
      @Nullable String summary, @Nullable String prefixSummary, @Nullable Utf8Text text,
      String sectionPath, int depth, List<String> childIds,
      @Nullable Map<String, Object> attributes, @Nullable List<Node> children) {}

  /**
   * A list of nodes.
   *
   * @param nodes the nodes, in the order the operation documents
   */
  public record NodeList(List<Node> nodes) {}

  /**
   * A whole tree.
   *
   * @param docId the document
   * @param versionId the version
   * @param roots the roots with their children
   */
  public record Tree(String docId, String versionId, List<Node> roots) {}

  /**
   * A keyword search.
   *
   * @param query the query (see the full-text query syntax: words, {@code +must},
   *     {@code -not}, {@code "phrases"}, {@code title:word}, {@code title^2})
   * @param docId only this document, or {@code null} for every document (each at its
   *     selected version)
   * @param version a version id (needs {@code docId}), or {@code null}
   * @param asOf a date, or {@code null}
   * @param sectionPath only this subtree (needs {@code docId}), or {@code null}
   * @param limit 1 to 1,000 hits, or {@code null} for 10
   */
  public record Search(String query, @Nullable String docId, @Nullable String version,
      @Nullable String asOf, @Nullable String sectionPath, @Nullable Integer limit) {}

  /**
   * One search hit.
   *
   * @param docId the document
   * @param versionId the version
   * @param nodeId the node
   * @param score the BM25 score
   * @param title the node's title
   * @param pageStart its first page, or {@code null}
   * @param pageEnd its last page, or {@code null}
   * @param sectionPath its outline position
   * @param ancestors the titles of its ancestors, root first
   * @param snippet the best window of its text with matches marked {@code <b>...</b>}
   */
  public record Hit(String docId, String versionId, String nodeId, double score, String title,
      @Nullable Integer pageStart, @Nullable Integer pageEnd, String sectionPath,
      List<String> ancestors, String snippet) {}

  /**
   * The answer to a search.
   *
   * @param hits best first; ties by document id, version id and node id
   */
  public record SearchResult(List<Hit> hits) {}

  /**
   * Asks for the version of a document in effect on a date.
   *
   * @param docId the document
   * @param asOf the date
   */
  public record VersionAsOf(String docId, String asOf) {}

  /**
   * One node-level change of a version against the version before it.
   *
   * @param nodeId the node
   * @param changeType {@code added}, {@code modified} or {@code deleted}
   * @param oldValue the changed fields before, as a JSON object ({@code null} for added)
   * @param newValue the changed fields after, as a JSON object ({@code null} for deleted)
   */
  public record Change(String nodeId, String changeType, @Nullable String oldValue,
      @Nullable String newValue) {}

  /**
   * A version.
   *
   * @param docId the document
   * @param versionId the version
   * @param effectiveDate when it takes effect
   * @param endDate when the next version took effect, or {@code null}
   * @param nodeCount its nodes
   * @param diff its changes against the version in effect before it (empty for the first);
   *     recomputed when a version stored later, with an earlier date, becomes the one before
   *     it
   */
  public record Version(String docId, String versionId, String effectiveDate,
      @Nullable String endDate, int nodeCount, List<Change> diff) {}

  /**
   * All versions of a document.
   *
   * @param versions oldest first (by effective date, then ingest order)
   */
  public record VersionList(List<Version> versions) {}

  /**
   * The answer to {@link VersionAsOf}.
   *
   * @param version the version in effect
   */
  public record VersionAnswer(Version version) {}

  /**
   * A node to insert with {@link BatchInsertNodes}.
   *
   * @param nodeId its id, or {@code null} to have one assigned
   * @param parentId its parent (an existing node or one earlier in the batch), or
   *     {@code null} for a new root; it becomes the parent's last child
   * @param title the title
   * @param pageStart the first page, or {@code null}
   * @param pageEnd the last page, or {@code null}
   * @param summary the summary, or {@code null}
   * @param prefixSummary the prefix summary, or {@code null}
   * @param text the text, or {@code null}
   * @param attributes other fields, kept verbatim, or {@code null}
   */
  public record NodeInput(@Nullable String nodeId, @Nullable String parentId, String title,
      @Nullable Integer pageStart, @Nullable Integer pageEnd, @Nullable String summary,
      @Nullable String prefixSummary, @Nullable String text,
      @Nullable Map<String, Object> attributes) {}

  /**
   * Inserts nodes into a document atomically, as a new version: the base version's nodes
   * plus the new ones (validated like an ingest), with a diff listing them as added.
   *
   * @param docId the document, which must exist
   * @param baseVersion the version to extend, or {@code null} for the one in effect today
   * @param versionId the new version's id, or {@code null} for a fresh one
   * @param effectiveDate the new version's date, or {@code null} for today
   * @param nodes the nodes, 1 to 100,000, parents before children
   */
  public record BatchInsertNodes(String docId, @Nullable String baseVersion,
      @Nullable String versionId, @Nullable String effectiveDate, List<NodeInput> nodes) {}
}
