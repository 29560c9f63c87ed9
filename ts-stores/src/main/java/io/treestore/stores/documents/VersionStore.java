package io.treestore.stores.documents;

import io.treestore.spi.Store;
import io.treestore.spi.StoreException;
import io.treestore.spi.StoreOperation;
import io.treestore.stores.documents.DocumentModel.Resolved;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code versions} store: every ingest of a document is a version with an effective date
 * and, once a later version takes effect, an end date; each version carries its node-level
 * diff against the version in effect before it. Operations: ListVersions (oldest first) and
 * GetVersionAsOf (the version in effect on a date; same-day versions: the one ingested last).
 * Thread-safe.
 */
public final class VersionStore implements Store {
  /** The store's name. */
  public static final String NAME = "versions";

  private final DocumentModel model;

  VersionStore(DocumentModel model) {
    this.model = model;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<StoreOperation<?, ?>> operations() {
    return List.of(
        StoreOperation.read("ListVersions", DocumentApi.DocumentRef.class,
            DocumentApi.VersionList.class, "Lists a document's versions, oldest first.",
            (tx, q) -> {
              model.docRecord(tx, q.docId());
              List<DocumentApi.Version> out = new ArrayList<>();
              for (Resolved r : model.versionsOf(tx, q.docId())) {
                out.add(r.rec().api(q.docId(), r.versionId()));
              }
              return new DocumentApi.VersionList(out);
            }),
        StoreOperation.lookup("GetVersionAsOf", DocumentApi.VersionAsOf.class,
            DocumentApi.VersionAnswer.class, "Returns the version in effect on a date.",
            (tx, q) -> {
              if (q.asOf() == null) {
                throw StoreException.invalid("as_of is missing");
              }
              java.time.LocalDate on = DocumentModel.date(q.asOf(), "as_of");
              model.docRecord(tx, q.docId());
              Resolved r = model.asOf(tx, q.docId(), on);
              if (r == null) {
                throw StoreException.notFound("no version of document '" + q.docId()
                    + "' is in effect on " + on);
              }
              return new DocumentApi.VersionAnswer(r.rec().api(q.docId(), r.versionId()));
            }));
  }
}
