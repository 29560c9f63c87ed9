package io.treestore.stores.prompts;

import io.treestore.index.IndexDefinition;
import io.treestore.index.Row;
import io.treestore.index.RowIterator;
import io.treestore.index.Table;
import io.treestore.index.Tuple;
import io.treestore.index.TupleRange;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.Store;
import io.treestore.spi.StoreContext;
import io.treestore.spi.StoreException;
import io.treestore.spi.StoreOperation;
import io.treestore.stores.internal.Checks;
import io.treestore.stores.internal.JsonCodec;
import io.treestore.stores.prompts.PromptApi.Prompt;
import io.treestore.stores.prompts.PromptApi.ToolSchema;
import io.treestore.stores.prompts.PromptApi.Usage;
import io.treestore.txn.Transaction;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code prompts} store. Keys (tuples):
 *
 * <ul>
 *   <li>{@code prompts.prompt}: (prompt, version), index {@code deployed} (prompt, deployed
 *       at, version) for versions that were deployed;
 *   <li>{@code prompts.usage}: (case, time, id), index {@code by_prompt} (prompt, version,
 *       case, time, id).
 * </ul>
 *
 * <p>Operations: StorePrompt, GetPrompt (by version, or the version deployed at an instant),
 * RecordPromptUsage, GetPromptUsage (by case, or by prompt and version). Thread-safe.
 */
public final class PromptStore implements Store {
  /** The store's name. */
  public static final String NAME = "prompts";
  private static final int MAX_CONTENT = 4 << 20;

  private final Clock clock;
  private final Table<Prompt> prompts;
  private final Table<Usage> usages;

  PromptStore(StoreContext context) {
    this.clock = context.clock();
    this.prompts = context.table("prompt", new JsonCodec<>(Prompt.class), List.of(
        IndexDefinition.nonUnique("deployed", (pk, r) -> r.deployedAt() == null ? List.of()
            : List.of(Tuple.of(pk.getString(0), r.deployedAt(), pk.getString(1))))));
    this.usages = context.table("usage", new JsonCodec<>(Usage.class), List.of(
        IndexDefinition.nonUnique("by_prompt", (pk, r) -> List.of(Tuple.of(r.promptId(),
            r.version(), pk.getString(0), pk.getInstant(1), pk.getString(2))))));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<StoreOperation<?, ?>> operations() {
    return List.of(
        StoreOperation.write("StorePrompt", Prompt.class, Prompt.class,
            "Stores a prompt version (immutable once stored).", this::store),
        StoreOperation.read("GetPrompt", PromptApi.PromptQuery.class, Prompt.class,
            "Returns a prompt version, or the version deployed at an instant.", this::get),
        StoreOperation.write("RecordPromptUsage", Usage.class, PromptApi.StoredUsage.class,
            "Records that a case used a prompt version.", this::record),
        StoreOperation.read("GetPromptUsage", PromptApi.UsageQuery.class, PromptApi.Usages.class,
            "Returns usages by case, or by prompt and version.", this::usage));
  }


  @Override
  public java.util.List<String> check(io.treestore.txn.ReadView view, int maxProblems) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (io.treestore.index.IndexCheckReport r : java.util.List.of(prompts.check(view, maxProblems), usages.check(view, maxProblems))) {
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

  private Prompt store(Transaction tx, Prompt q) {
    Checks.id(q.promptId(), "prompt_id");
    Checks.id(q.version(), "version");
    Checks.text(q.content(), "content", MAX_CONTENT);
    List<ToolSchema> schemas = q.toolSchemas() == null ? List.of() : List.copyOf(q.toolSchemas());
    for (ToolSchema s : schemas) {
      if (s == null) {
        throw StoreException.invalid("tool_schemas holds null");
      }
      Checks.id(s.name(), "tool schema name");
    }
    if (q.deployedAt() != null && q.retiredAt() != null
        && q.retiredAt().isBefore(q.deployedAt())) {
      throw StoreException.invalid("retired_at " + q.retiredAt() + " is before deployed_at "
          + q.deployedAt());
    }
    if (q.retiredAt() != null && q.deployedAt() == null) {
      throw StoreException.invalid("retired_at needs deployed_at");
    }
    Tuple pk = Tuple.of(q.promptId(), q.version());
    Prompt old = prompts.get(tx, pk);
    Prompt p = new Prompt(q.promptId(), q.version(), q.content(), schemas,
        q.createdAt() == null ? (old != null ? old.createdAt() : clock.instant())
            : q.createdAt(), q.deployedAt(), q.retiredAt());
    if (old != null) {
      if (!old.content().equals(p.content()) || !JsonCodec.JSON.writeValueAsString(
          old.toolSchemas()).equals(JsonCodec.JSON.writeValueAsString(p.toolSchemas()))) {
        throw new StoreException(ErrorCode.ALREADY_EXISTS, "prompt '" + q.promptId()
            + "' version '" + q.version() + "' exists with other content; versions are"
            + " immutable, store a new version");
      }
      if (old.equals(p)) {
        return old;
      }
    }
    prompts.put(tx, pk, p);
    return p;
  }

  private Prompt get(Transaction tx, PromptApi.PromptQuery q) {
    Checks.id(q.promptId(), "prompt_id");
    if (q.version() != null) {
      if (q.at() != null) {
        throw StoreException.invalid("give version or at, not both");
      }
      Prompt p = prompts.get(tx, Tuple.of(q.promptId(), Checks.id(q.version(), "version")));
      if (p == null) {
        throw StoreException.notFound("prompt '" + q.promptId() + "' has no version '"
            + q.version() + "'");
      }
      return p;
    }
    Instant at = q.at() == null ? clock.instant() : q.at();
    try (RowIterator<Prompt> it = prompts.scanIndex(tx, "deployed", TupleRange.between(
        Tuple.of(q.promptId()), true, Tuple.of(q.promptId(), at), true).reversed())) {
      while (it.hasNext()) {
        Prompt p = it.next().record();
        if (p.retiredAt() == null || p.retiredAt().isAfter(at)) {
          return p;
        }
      }
    }
    throw StoreException.notFound("no version of prompt '" + q.promptId()
        + "' was deployed at " + at);
  }

  private PromptApi.StoredUsage record(Transaction tx, Usage q) {
    Checks.id(q.caseId(), "case_id");
    Checks.id(q.promptId(), "prompt_id");
    Checks.id(q.version(), "version");
    if (prompts.get(tx, Tuple.of(q.promptId(), q.version())) == null) {
      throw StoreException.notFound("prompt '" + q.promptId() + "' has no version '"
          + q.version() + "'");
    }
    Instant t = q.timestamp() == null ? clock.instant() : q.timestamp();
    String id = Checks.newId();
    Usage u = new Usage(q.caseId(), q.promptId(), q.version(), t);
    usages.insert(tx, Tuple.of(q.caseId(), t, id), u);
    return new PromptApi.StoredUsage(id, u);
  }

  private PromptApi.Usages usage(Transaction tx, PromptApi.UsageQuery q) {
    int limit = Checks.limit(q.limit(), 1000, 10_000);
    List<PromptApi.StoredUsage> out = new ArrayList<>();
    RowIterator<Usage> it;
    int idIndex;
    if (q.caseId() != null) {
      if (q.promptId() != null || q.version() != null) {
        throw StoreException.invalid("give case_id, or prompt_id (and version), not both");
      }
      it = usages.scan(tx, TupleRange.prefix(Tuple.of(Checks.id(q.caseId(), "case_id"))));
      idIndex = 2;
    } else if (q.promptId() != null) {
      Tuple prefix = q.version() == null ? Tuple.of(Checks.id(q.promptId(), "prompt_id"))
          : Tuple.of(Checks.id(q.promptId(), "prompt_id"), Checks.id(q.version(), "version"));
      it = usages.scanIndex(tx, "by_prompt", TupleRange.prefix(prefix));
      idIndex = 2;
    } else {
      throw StoreException.invalid("give case_id or prompt_id");
    }
    try (it) {
      while (it.hasNext() && out.size() < limit) {
        Row<Usage> r = it.next();
        out.add(new PromptApi.StoredUsage(r.primaryKey().getString(idIndex), r.record()));
      }
    }
    return new PromptApi.Usages(out);
  }

  @Override
  public String toString() {
    return "PromptStore";
  }
}
