package io.treestore.stores.metadata;

import io.treestore.index.IndexDefinition;
import io.treestore.index.Row;
import io.treestore.index.RowIterator;
import io.treestore.index.Table;
import io.treestore.index.Tuple;
import io.treestore.index.TupleRange;
import io.treestore.spi.Store;
import io.treestore.spi.StoreContext;
import io.treestore.spi.StoreException;
import io.treestore.spi.StoreOperation;
import io.treestore.stores.internal.Checks;
import io.treestore.stores.internal.JsonCodec;
import io.treestore.stores.metadata.MetadataApi.Aggregate;
import io.treestore.stores.metadata.MetadataApi.Contradiction;
import io.treestore.stores.metadata.MetadataApi.CrossReference;
import io.treestore.stores.metadata.MetadataApi.Evidence;
import io.treestore.stores.metadata.MetadataApi.Recorded;
import io.treestore.stores.metadata.MetadataApi.ToolResult;
import io.treestore.stores.metadata.MetadataApi.Trajectory;
import io.treestore.txn.Transaction;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code metadata} store: what agents did. Records are stored as JSON; keys (tuples):
 *
 * <ul>
 *   <li>{@code metadata.tool}: (case, tool, time, id), index {@code by_time} (case, time, id);
 *   <li>{@code metadata.trajectory}: (case, time, id);
 *   <li>{@code metadata.xref}: (from doc, from node, to doc, to node, relation), index
 *       {@code reverse} (to doc, to node, from doc, from node, relation);
 *   <li>{@code metadata.contradiction}: (case, criterion, time, id).
 * </ul>
 *
 * <p>Operations: StoreToolResult, GetToolResults (by case, optionally tool and time window,
 * with an aggregate of success rate, latency and confidence), StoreTrajectory,
 * GetTrajectories, StoreCrossReference, GetCrossReferences (both directions, across
 * documents), StoreContradiction, GetContradictions. Every write is one record with fresh
 * keys, so concurrent writers never conflict. Thread-safe.
 */
public final class MetadataStore implements Store {
  /** The store's name. */
  public static final String NAME = "metadata";
  private static final int MAX_TEXT = 1 << 20;
  private static final Set<String> STANCES = Set.of("support", "oppose", "neutral");

  private final Clock clock;
  private final Table<ToolResult> tools;
  private final Table<Trajectory> trajectories;
  private final Table<CrossReference> xrefs;
  private final Table<Contradiction> contradictions;

  MetadataStore(StoreContext context) {
    this.clock = context.clock();
    this.tools = context.table("tool", new JsonCodec<>(ToolResult.class), List.of(
        IndexDefinition.nonUnique("by_time", (pk, r) -> List.of(Tuple.of(pk.getString(0),
            pk.getInstant(2), pk.getString(3))))));
    this.trajectories = context.table("trajectory", new JsonCodec<>(Trajectory.class),
        List.of());
    this.xrefs = context.table("xref", new JsonCodec<>(CrossReference.class), List.of(
        IndexDefinition.nonUnique("reverse", (pk, r) -> List.of(Tuple.of(pk.getString(2),
            pk.getString(3), pk.getString(0), pk.getString(1), pk.getString(4))))));
    this.contradictions = context.table("contradiction",
        new JsonCodec<>(Contradiction.class), List.of());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<StoreOperation<?, ?>> operations() {
    return List.of(
        StoreOperation.write("StoreToolResult", ToolResult.class, Recorded.class,
            "Records one tool call of an agent.", this::storeTool),
        StoreOperation.read("GetToolResults", MetadataApi.ToolResultQuery.class,
            MetadataApi.ToolResults.class, "Returns a case's tool results with an aggregate"
                + " of success rate, latency and confidence.", this::getTools),
        StoreOperation.write("StoreTrajectory", Trajectory.class, Recorded.class,
            "Records a search trajectory.", this::storeTrajectory),
        StoreOperation.read("GetTrajectories", MetadataApi.TrajectoryQuery.class,
            MetadataApi.Trajectories.class, "Returns a case's search trajectories.",
            this::getTrajectories),
        StoreOperation.write("StoreCrossReference", CrossReference.class, CrossReference.class,
            "Records a link between two nodes (replacing the same link's reason and"
                + " confidence).", this::storeXref),
        StoreOperation.read("GetCrossReferences", MetadataApi.CrossReferenceQuery.class,
            MetadataApi.CrossReferences.class, "Returns a node's links in both directions.",
            this::getXrefs),
        StoreOperation.write("StoreContradiction", Contradiction.class, Recorded.class,
            "Records a contradiction found between pieces of evidence.",
            this::storeContradiction),
        StoreOperation.read("GetContradictions", MetadataApi.ContradictionQuery.class,
            MetadataApi.Contradictions.class, "Returns a case's contradictions.",
            this::getContradictions));
  }


  @Override
  public java.util.List<String> check(io.treestore.txn.ReadView view, int maxProblems) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (io.treestore.index.IndexCheckReport r : java.util.List.of(tools.check(view, maxProblems), trajectories.check(view, maxProblems),
        xrefs.check(view, maxProblems), contradictions.check(view, maxProblems))) {
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

  private Instant now(@Nullable Instant t) {
    return t == null ? clock.instant() : t;
  }

  private static Map<String, Object> object(@Nullable Map<String, Object> m) {
    return m == null ? Map.of() : m;
  }

  // ------------------------------------------------------------------ tool results

  private Recorded storeTool(Transaction tx, ToolResult q) {
    Checks.id(q.caseId(), "case_id");
    Checks.id(q.toolName(), "tool_name");
    if (q.criterionId() != null) {
      Checks.id(q.criterionId(), "criterion_id");
    }
    if (q.latencyMs() < 0) {
      throw StoreException.invalid("latency_ms must be >= 0, was " + q.latencyMs());
    }
    Checks.unit(q.confidence(), "confidence");
    Instant t = now(q.timestamp());
    String id = Checks.newId();
    ToolResult stored = new ToolResult(q.caseId(), q.criterionId(), q.toolName(),
        object(q.input()), object(q.output()), t, q.latencyMs(), q.success(), q.confidence());
    tools.insert(tx, Tuple.of(q.caseId(), q.toolName(), t, id), stored);
    return new Recorded(id, t);
  }

  private MetadataApi.ToolResults getTools(Transaction tx, MetadataApi.ToolResultQuery q) {
    Checks.id(q.caseId(), "case_id");
    int limit = Checks.limit(q.limit(), 1000, 10_000);
    Checks.window(q.from(), q.to());
    TupleRange range;
    RowIterator<ToolResult> it;
    if (q.toolName() != null) {
      Checks.id(q.toolName(), "tool_name");
      range = window(Tuple.of(q.caseId(), q.toolName()), q.from(), q.to());
      it = tools.scan(tx, range);
    } else {
      range = window(Tuple.of(q.caseId()), q.from(), q.to());
      it = tools.scanIndex(tx, "by_time", range);
    }
    List<MetadataApi.StoredToolResult> out = new ArrayList<>();
    long count = 0;
    long ok = 0;
    long latencySum = 0;
    long latencyMax = 0;
    double confSum = 0;
    long confCount = 0;
    try (it) {
      while (it.hasNext()) {
        Row<ToolResult> r = it.next();
        ToolResult t = r.record();
        if (q.to() != null && !t.timestamp().isBefore(q.to())) {
          continue;
        }
        count++;
        ok += t.success() ? 1 : 0;
        latencySum += t.latencyMs();
        latencyMax = Math.max(latencyMax, t.latencyMs());
        if (t.confidence() != null) {
          confSum += t.confidence();
          confCount++;
        }
        if (out.size() < limit) {
          out.add(new MetadataApi.StoredToolResult(r.primaryKey().getString(3), t));
        }
      }
    }
    Aggregate agg = new Aggregate(count, count == 0 ? 0 : (double) ok / count,
        count == 0 ? 0 : (double) latencySum / count, latencyMax,
        confCount == 0 ? null : confSum / confCount);
    return new MetadataApi.ToolResults(out, agg);
  }

  /** Keys starting with {@code prefix} whose next element, an instant, is in [from, to). */
  private static TupleRange window(Tuple prefix, @Nullable Instant from, @Nullable Instant to) {
    Tuple lo = from == null ? prefix : prefix.add(from);
    Tuple hi = to == null ? prefix : prefix.add(to);
    return TupleRange.between(lo, true, hi, to == null);
  }

  // ------------------------------------------------------------------ trajectories

  private Recorded storeTrajectory(Transaction tx, Trajectory q) {
    Checks.id(q.caseId(), "case_id");
    Checks.text(q.query(), "query", MAX_TEXT);
    if (q.nodesVisited() == null) {
      throw StoreException.invalid("nodes_visited is missing (use [] for none)");
    }
    for (String n : q.nodesVisited()) {
      Checks.id(n, "nodes_visited element");
    }
    Checks.unit(q.confidence(), "confidence");
    Instant t = now(q.timestamp());
    String id = Checks.newId();
    trajectories.insert(tx, Tuple.of(q.caseId(), t, id), new Trajectory(q.caseId(), q.query(),
        List.copyOf(q.nodesVisited()), q.thinking(), q.confidence(), q.method(), t));
    return new Recorded(id, t);
  }

  private MetadataApi.Trajectories getTrajectories(Transaction tx,
      MetadataApi.TrajectoryQuery q) {
    Checks.id(q.caseId(), "case_id");
    int limit = Checks.limit(q.limit(), 1000, 10_000);
    Checks.window(q.from(), q.to());
    List<MetadataApi.StoredTrajectory> out = new ArrayList<>();
    try (RowIterator<Trajectory> it = trajectories.scan(tx, window(Tuple.of(q.caseId()),
        q.from(), q.to()))) {
      while (it.hasNext() && out.size() < limit) {
        Row<Trajectory> r = it.next();
        out.add(new MetadataApi.StoredTrajectory(r.primaryKey().getString(2), r.record()));
      }
    }
    return new MetadataApi.Trajectories(out);
  }

  // ------------------------------------------------------------------ cross-references

  private CrossReference storeXref(Transaction tx, CrossReference q) {
    Checks.id(q.fromDocId(), "from_doc_id");
    Checks.id(q.fromNodeId(), "from_node_id");
    Checks.id(q.toDocId(), "to_doc_id");
    Checks.id(q.toNodeId(), "to_node_id");
    Checks.id(q.relationType(), "relation_type");
    Checks.unit(q.confidence(), "confidence");
    if (q.fromDocId().equals(q.toDocId()) && q.fromNodeId().equals(q.toNodeId())) {
      throw StoreException.invalid("a cross-reference must link two different nodes");
    }
    xrefs.put(tx, Tuple.of(q.fromDocId(), q.fromNodeId(), q.toDocId(), q.toNodeId(),
        q.relationType()), q);
    return q;
  }

  private MetadataApi.CrossReferences getXrefs(Transaction tx,
      MetadataApi.CrossReferenceQuery q) {
    Checks.id(q.docId(), "doc_id");
    Checks.id(q.nodeId(), "node_id");
    List<CrossReference> out = new ArrayList<>();
    try (RowIterator<CrossReference> it = xrefs.scan(tx, TupleRange.prefix(
        Tuple.of(q.docId(), q.nodeId())))) {
      it.forEachRemaining(r -> out.add(r.record()));
    }
    List<CrossReference> in = new ArrayList<>();
    try (RowIterator<CrossReference> it = xrefs.scanIndex(tx, "reverse", TupleRange.prefix(
        Tuple.of(q.docId(), q.nodeId())))) {
      it.forEachRemaining(r -> in.add(r.record()));
    }
    return new MetadataApi.CrossReferences(out, in);
  }

  // ------------------------------------------------------------------ contradictions

  private Recorded storeContradiction(Transaction tx, Contradiction q) {
    Checks.id(q.caseId(), "case_id");
    Checks.id(q.criterionId(), "criterion_id");
    if (q.evidence() == null || q.evidence().isEmpty()) {
      throw StoreException.invalid("evidence is missing");
    }
    for (Evidence e : q.evidence()) {
      if (e == null) {
        throw StoreException.invalid("evidence holds null");
      }
      Checks.id(e.nodeId(), "evidence node_id");
      if (e.docId() != null) {
        Checks.id(e.docId(), "evidence doc_id");
      }
      Checks.text(e.snippet(), "evidence snippet", MAX_TEXT);
      if (!STANCES.contains(e.stance())) {
        throw StoreException.invalid("evidence stance must be one of " + STANCES + ", was '"
            + e.stance() + "'");
      }
    }
    Instant t = now(q.timestamp());
    String id = Checks.newId();
    contradictions.insert(tx, Tuple.of(q.caseId(), q.criterionId(), t, id),
        new Contradiction(q.caseId(), q.criterionId(), List.copyOf(q.evidence()),
            q.conflicts() == null ? List.of() : List.copyOf(q.conflicts()), q.resolution(), t));
    return new Recorded(id, t);
  }

  private MetadataApi.Contradictions getContradictions(Transaction tx,
      MetadataApi.ContradictionQuery q) {
    Checks.id(q.caseId(), "case_id");
    Tuple prefix = q.criterionId() == null ? Tuple.of(q.caseId())
        : Tuple.of(q.caseId(), Checks.id(q.criterionId(), "criterion_id"));
    List<MetadataApi.StoredContradiction> out = new ArrayList<>();
    try (RowIterator<Contradiction> it = contradictions.scan(tx, TupleRange.prefix(prefix))) {
      it.forEachRemaining(r -> out.add(new MetadataApi.StoredContradiction(
          r.primaryKey().getString(3), r.record())));
    }
    return new MetadataApi.Contradictions(out);
  }
}
