package io.treestore.stores.documents;

import io.treestore.index.IndexEntry;
import io.treestore.index.IndexEntryIterator;
import io.treestore.index.Row;
import io.treestore.index.RowIterator;
import io.treestore.index.Tuple;
import io.treestore.index.TupleRange;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.Store;
import io.treestore.spi.StoreException;
import io.treestore.spi.StoreOperation;
import io.treestore.stores.documents.DocumentApi.DocumentInfo;
import io.treestore.stores.documents.DocumentApi.DocumentList;
import io.treestore.stores.documents.DocumentApi.DocumentRef;
import io.treestore.stores.documents.DocumentApi.Node;
import io.treestore.stores.documents.DocumentApi.NodeList;
import io.treestore.stores.documents.DocumentApi.NodeRef;
import io.treestore.stores.documents.DocumentModel.NodeRec;
import io.treestore.txn.Transaction;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code documents} store: PageIndex trees, their nodes, and keyword search. Every ingest
 * is a new version (see {@link VersionStore}); every read takes a {@code version} or
 * {@code asOf}, or reads the version in effect today.
 *
 * <p>Operations: StoreDocument, BatchInsertNodes, GetDocument, ListDocuments, DeleteDocument,
 * GetNode, GetChildren (document order), GetSubtree (depth limit), GetTree, GetAncestorPath
 * (root first, the node excluded), GetNodesByPage (outermost first, then document order),
 * GetByPath, SearchByKeyword. Request and response types are in {@link DocumentApi}. Thread-safe.
 */
public final class DocumentStore implements Store {
  /** The store's name. */
  public static final String NAME = DocumentModel.STORE;

  private final DocumentModel model;

  DocumentStore(DocumentModel model) {
    this.model = model;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<StoreOperation<?, ?>> operations() {
    return List.of(
        StoreOperation.write("StoreDocument", DocumentApi.StoreDocument.class,
            DocumentApi.Stored.class, "Ingests a PageIndex tree as a new version of a document.",
            model::store),
        StoreOperation.write("BatchInsertNodes", DocumentApi.BatchInsertNodes.class,
            DocumentApi.Stored.class, "Adds nodes to a document atomically, as a new version.",
            model::batchInsert),
        StoreOperation.read("GetDocument", DocumentRef.class, DocumentInfo.class,
            "Returns a document's metadata as of its current version.",
            (tx, q) -> info(tx, q.docId())),
        StoreOperation.read("ListDocuments", DocumentApi.ListDocuments.class,
            DocumentList.class, "Lists the documents by id.", this::list),
        StoreOperation.write("DeleteDocument", DocumentRef.class, DocumentApi.Deleted.class,
            "Deletes a document with all its versions and nodes.",
            (tx, q) -> model.delete(tx, q.docId())),
        StoreOperation.lookup("GetNode", NodeRef.class, Node.class, "Returns one node.",
            (tx, q) -> {
              String vid = model.readVersion(tx, q.docId(), q.version(), q.asOf());
              return model.node(q.docId(), vid, model.nodeRec(tx, q.docId(),
                  vid, q.nodeId()), null);
            }),
        StoreOperation.lookup("GetChildren", NodeRef.class, NodeList.class,
            "Returns a node's children in document order.", (tx, q) -> {
              String vid = model.readVersion(tx, q.docId(), q.version(), q.asOf());
              // the parent's child list only: its text is not part of the answer
              byte[] parent = model.nodeBytes(tx, q.docId(), vid, q.nodeId());
              return list(q.docId(), vid, model.children(tx, q.docId(), vid, q.nodeId(),
                  DocumentModel.childIdsOf(parent)));
            }),
        StoreOperation.read("GetSubtree", DocumentApi.SubtreeRef.class, Node.class,
            "Returns a node with its descendants down to a depth.", (tx, q) -> {
              checkDepth(q.depth());
              String vid = model.readVersion(tx, q.docId(), q.version(), q.asOf());
              return model.subtree(tx, q.docId(), vid, model.nodeRec(tx, q.docId(),
                  vid, q.nodeId()), q.depth());
            }),
        StoreOperation.read("GetTree", DocumentApi.TreeRef.class, DocumentApi.Tree.class,
            "Returns the whole tree from the roots, down to a depth.", (tx, q) -> {
              checkDepth(q.depth());
              String vid = model.readVersion(tx, q.docId(), q.version(), q.asOf());
              List<Node> roots = model.childTrees(tx, q.docId(), vid, (NodeRec) null,
                  q.depth() == null ? null : q.depth() + 1);
              if (roots.isEmpty()) {
                model.explainMissing(tx, q.docId(), vid);
              }
              return new DocumentApi.Tree(q.docId(), vid, roots);
            }),
        StoreOperation.lookup("GetAncestorPath", NodeRef.class, NodeList.class,
            "Returns a node's ancestors, root first, the node itself excluded.", (tx, q) -> {
              String vid = model.readVersion(tx, q.docId(), q.version(), q.asOf());
              // the node's parent id only: the node itself is not part of the answer
              byte[] node = model.nodeBytes(tx, q.docId(), vid, q.nodeId());
              return list(q.docId(), vid, model.ancestors(tx, q.docId(), vid, q.nodeId(),
                  DocumentModel.parentIdOf(node)));
            }),
        StoreOperation.lookup("GetNodesByPage", DocumentApi.PageRef.class, NodeList.class,
            "Returns the nodes whose page range holds a page, outermost first, then in"
                + " document order.", (tx, q) -> {
              if (q.page() < 0) {
                throw StoreException.invalid("page must be >= 0, was " + q.page());
              }
              String vid = model.readVersion(tx, q.docId(), q.version(), q.asOf());
              List<NodeRec> found = model.byPage(tx, q.docId(), vid, q.page());
              if (found.isEmpty()) {
                model.explainMissing(tx, q.docId(), vid);
              }
              return list(q.docId(), vid, found);
            }),
        StoreOperation.lookup("GetByPath", DocumentApi.PathRef.class, Node.class,
            "Returns the node at an outline position such as 2.1.3.", (tx, q) -> {
              String vid = model.readVersion(tx, q.docId(), q.version(), q.asOf());
              if (q.sectionPath() == null || q.sectionPath().isEmpty()) {
                throw StoreException.invalid("section_path is missing");
              }
              return model.node(q.docId(), vid, model.byPath(tx, q.docId(),
                  vid, q.sectionPath()), null);
            }),
        StoreOperation.read("SearchByKeyword", DocumentApi.Search.class,
            DocumentApi.SearchResult.class, "BM25 keyword search over node titles, summaries"
                + " and texts, optionally in one document, version or subtree.",
            model::search));
  }


  @Override
  public java.util.List<String> check(io.treestore.txn.ReadView view, int maxProblems) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (io.treestore.index.IndexCheckReport r : java.util.List.of(model.docs.check(view, maxProblems), model.versions.check(view, maxProblems),
        model.nodes.check(view, maxProblems), model.fts.check(view, maxProblems))) {
      for (io.treestore.index.IndexProblem p : r.problems()) {
        out.add(p.toString());
      }
      if (r.problemCount() > r.problems().size()) {
        out.add(r.table() + ": " + (r.problemCount() - r.problems().size())
            + " more problems");
      }
    }
    return out;
  }

  private static void checkDepth(Integer depth) {
    if (depth != null && depth < 0) {
      throw StoreException.invalid("depth must be >= 0, was " + depth);
    }
  }

  private NodeList list(String docId, String versionId, List<NodeRec> recs) {
    List<Node> out = new ArrayList<>(recs.size());
    for (NodeRec n : recs) {
      out.add(model.node(docId, versionId, n, null));
    }
    return new NodeList(out);
  }

  private DocumentInfo info(Transaction tx, String docId) {
    model.docRecord(tx, docId);
    // One pass over the temporal index (effective date, then number) counts the versions and
    // finds the one in effect today: the last not dated after today, else the latest. Version
    // records carry node diffs; only the shown one is read, without its diff.
    String today = model.today().toString();
    int count = 0;
    String latest = null;
    String inEffect = null;
    try (IndexEntryIterator it = model.versions.scanIndexKeys(tx, "temporal",
        TupleRange.prefix(Tuple.of(docId)))) {
      while (it.hasNext()) {
        IndexEntry e = it.next();
        latest = e.primaryKey().getString(1);
        if (e.indexKey().getString(1).compareTo(today) <= 0) {
          inEffect = latest; // ISO dates order as strings
        }
        count++;
      }
    }
    if (latest == null) {
      throw new StoreException(ErrorCode.INTERNAL, "document '" + docId + "' has no"
          + " versions; run a check");
    }
    String vid = inEffect != null ? inEffect : latest;
    byte[] stored = model.versions.getEncoded(tx, Tuple.of(docId, vid));
    if (stored == null) {
      throw new StoreException(ErrorCode.INTERNAL, "the temporal index of document '" + docId
          + "' names a version '" + vid + "' that is not stored; run a check");
    }
    DocumentModel.VersionRec v = DocumentModel.VersionRec.headOf(stored);
    return new DocumentInfo(docId, v.docName(), v.docDescription(), vid, v.effectiveDate(),
        v.nodeCount(), count);
  }

  private DocumentList list(Transaction tx, DocumentApi.ListDocuments q) {
    int limit = q.limit() == null ? 10_000 : q.limit();
    if (limit < 1 || limit > 100_000) {
      throw StoreException.invalid("limit must be 1 to 100000, was " + limit);
    }
    List<DocumentInfo> out = new ArrayList<>();
    try (RowIterator<Tuple> it = model.docs.scan(tx, TupleRange.all())) {
      while (it.hasNext() && out.size() < limit) {
        Row<Tuple> r = it.next();
        out.add(info(tx, r.primaryKey().getString(0)));
      }
    }
    return new DocumentList(out);
  }
}
