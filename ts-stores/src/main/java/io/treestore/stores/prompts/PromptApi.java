package io.treestore.stores.prompts;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Request and response types of the {@code prompts} store: versioned system prompts with
 * their tool schemas, and which prompt version each case used. Records; transports map
 * components to snake_case JSON.
 */
public final class PromptApi {
  private PromptApi() {}

  /**
   * A tool's schema as given to the model.
   *
   * @param name the tool name
   * @param description what it does
   * @param parameters its JSON-schema parameters, a JSON object
   */
  public record ToolSchema(String name, @Nullable String description,
      @Nullable Map<String, Object> parameters) {}

  /**
   * One version of a prompt. A version is immutable once stored: storing it again with the
   * same content is a no-op, with other content an error.
   *
   * @param promptId the prompt
   * @param version the version id
   * @param content the prompt text
   * @param toolSchemas the tools it declares
   * @param createdAt when created, or {@code null} for now
   * @param deployedAt when it went into service, or {@code null} if never
   * @param retiredAt when it left service, or {@code null} if still in service
   */
  public record Prompt(String promptId, String version, String content,
      @Nullable List<ToolSchema> toolSchemas, @Nullable Instant createdAt,
      @Nullable Instant deployedAt, @Nullable Instant retiredAt) {}

  /**
   * Asks for a prompt by version, or for the version deployed at an instant.
   *
   * @param promptId the prompt
   * @param version the version, or {@code null}
   * @param at the instant (with {@code version} null): the version whose deployment covers it
   *     (deployed at or before, not retired by then; the latest deployment wins); with both
   *     {@code null}, the version deployed now
   */
  public record PromptQuery(String promptId, @Nullable String version, @Nullable Instant at) {}

  /**
   * Records that a case used a prompt version.
   *
   * @param caseId the case
   * @param promptId the prompt
   * @param version the version, which must exist
   * @param timestamp when, or {@code null} for now
   */
  public record Usage(String caseId, String promptId, String version,
      @Nullable Instant timestamp) {}

  /**
   * The stored usage.
   *
   * @param id its id
   * @param usage as stored
   */
  public record StoredUsage(String id, Usage usage) {}

  /**
   * Asks for usages: by case, or by prompt (and version).
   *
   * @param caseId the case, or {@code null}
   * @param promptId the prompt (when {@code caseId} is null), or {@code null}
   * @param version the version (with {@code promptId}), or {@code null} for all versions
   * @param limit 1 to 10,000, {@code null} = 1,000
   */
  public record UsageQuery(@Nullable String caseId, @Nullable String promptId,
      @Nullable String version, @Nullable Integer limit) {}

  /**
   * The answer to {@link UsageQuery}.
   *
   * @param usages by case and time, or by version, case and time
   */
  public record Usages(List<StoredUsage> usages) {}
}
