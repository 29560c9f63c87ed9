package io.treestore.stores.documents;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Each document's temporal index (its versions by effective date), kept in memory between
 * reads so that a search over every document does not seek the index once per document it
 * reaches.
 *
 * <p>Correct under snapshot isolation because of the <em>versions epoch</em>: a counter that
 * every transaction changing any version record adds 1 to ({@link DocumentModel}). Snapshots
 * see prefixes of the commit order, so two snapshots that read the same epoch see the same
 * version records, and what was loaded from one is true in the other. The cache holds one
 * generation, for the highest epoch a reader has brought; a reader whose snapshot is older
 * loads what it needs itself and changes nothing. Only read-only transactions may use it: a
 * read-write transaction's own uncommitted changes move its epoch to a value that another
 * transaction can commit with different records.
 *
 * <p>At most {@link #MAX_DOCUMENTS} documents are kept per generation; past that, lookups of
 * further documents load each time. Thread-safe.
 */
final class VersionsInEffect {
  /** Documents kept per generation (an entry is tens of bytes per version). */
  static final int MAX_DOCUMENTS = 1 << 18;

  /** One temporal-index entry of a document: the effective date and the version id. */
  record Entry(LocalDate effective, String versionId) {}

  private record Generation(long epoch, ConcurrentHashMap<String, List<Entry>> docs) {}

  private final AtomicReference<Generation> current =
      new AtomicReference<>(new Generation(-1, new ConcurrentHashMap<>()));

  /**
   * Returns the id of the version of {@code docId} in effect on {@code on}: the last entry
   * in index order (effective date, then version number) whose date is not after it.
   *
   * @param epoch the versions epoch the reader's snapshot sees
   * @param docId the document
   * @param on the date
   * @param load reads the document's entries in index order from the reader's snapshot
   * @return the version id, or {@code null} if no version is in effect then (or no document)
   */
  @Nullable String versionIdAsOf(long epoch, String docId, LocalDate on,
      Function<String, List<Entry>> load) {
    Generation g = current.get();
    if (g.epoch < epoch) {
      Generation fresh = new Generation(epoch, new ConcurrentHashMap<>());
      g = current.compareAndSet(g, fresh) ? fresh : current.get();
    }
    List<Entry> entries;
    if (g.epoch != epoch) {
      entries = load.apply(docId);
    } else {
      entries = g.docs.get(docId);
      if (entries == null) {
        entries = load.apply(docId);
        if (g.docs.size() < MAX_DOCUMENTS) {
          g.docs.putIfAbsent(docId, entries);
        }
      }
    }
    for (int i = entries.size() - 1; i >= 0; i--) {
      Entry e = entries.get(i);
      if (e.effective().compareTo(on) <= 0) {
        return e.versionId();
      }
    }
    return null;
  }
}
