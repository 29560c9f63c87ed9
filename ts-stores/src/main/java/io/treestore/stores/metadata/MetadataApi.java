package io.treestore.stores.metadata;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Request and response types of the {@code metadata} store: the audit trail of agents (tool
 * results, search trajectories, cross-references, contradictions). Records; transports map
 * components to snake_case JSON. Times are instants (ISO-8601 in JSON); a {@code null}
 * timestamp on a write means "now". Ids are 1 to 200 characters without control characters
 * or {@code /}.
 */
public final class MetadataApi {
  private MetadataApi() {}

  /**
   * One tool call of an agent.
   *
   * @param caseId the case (conversation, task) it belongs to
   * @param criterionId the criterion it served, or {@code null}
   * @param toolName the tool, such as {@code pi_search}
   * @param input the tool's input, a JSON object
   * @param output the tool's output, a JSON object
   * @param timestamp when it ran, or {@code null} for now
   * @param latencyMs its latency in milliseconds, {@code >= 0}
   * @param success whether it succeeded
   * @param confidence the confidence it reported, 0 to 1, or {@code null}
   */
  public record ToolResult(String caseId, @Nullable String criterionId, String toolName,
      @Nullable Map<String, Object> input, @Nullable Map<String, Object> output,
      @Nullable Instant timestamp, long latencyMs, boolean success,
      @Nullable Double confidence) {}

  /**
   * The id a write was stored under.
   *
   * @param id a unique id, 16 hex digits
   * @param timestamp the stored timestamp
   */
  public record Recorded(String id, Instant timestamp) {}

  /**
   * Asks for tool results.
   *
   * @param caseId the case
   * @param toolName only this tool, or {@code null}
   * @param from only at or after this instant, or {@code null}
   * @param to only before this instant, or {@code null}
   * @param limit at most this many results (1 to 10,000; {@code null} = 1,000), oldest first
   */
  public record ToolResultQuery(String caseId, @Nullable String toolName,
      @Nullable Instant from, @Nullable Instant to, @Nullable Integer limit) {}

  /**
   * A stored tool result.
   *
   * @param id its id
   * @param result the result as stored
   */
  public record StoredToolResult(String id, ToolResult result) {}

  /**
   * The aggregate {@code confidence_score} uses, over every matching result (not only the
   * returned page).
   *
   * @param count matching results
   * @param successRate the fraction that succeeded, 0 to 1 (0 when there are none)
   * @param meanLatencyMs mean latency
   * @param maxLatencyMs largest latency
   * @param meanConfidence mean of the reported confidences, or {@code null} if none reported
   */
  public record Aggregate(long count, double successRate, double meanLatencyMs,
      long maxLatencyMs, @Nullable Double meanConfidence) {}

  /**
   * The answer to {@link ToolResultQuery}.
   *
   * @param results the results, oldest first
   * @param aggregate statistics over all matching results
   */
  public record ToolResults(List<StoredToolResult> results, Aggregate aggregate) {}

  /**
   * A search trajectory of an agent.
   *
   * @param caseId the case
   * @param query what was searched
   * @param nodesVisited the node ids visited, in order
   * @param thinking the agent's reasoning, or {@code null}
   * @param confidence 0 to 1, or {@code null}
   * @param method such as {@code llm}, {@code hybrid}, {@code mcts}, or {@code null}
   * @param timestamp when, or {@code null} for now
   */
  public record Trajectory(String caseId, String query, List<String> nodesVisited,
      @Nullable String thinking, @Nullable Double confidence, @Nullable String method,
      @Nullable Instant timestamp) {}

  /**
   * Asks for trajectories.
   *
   * @param caseId the case
   * @param from at or after, or {@code null}
   * @param to before, or {@code null}
   * @param limit 1 to 10,000, {@code null} = 1,000
   */
  public record TrajectoryQuery(String caseId, @Nullable Instant from, @Nullable Instant to,
      @Nullable Integer limit) {}

  /**
   * A stored trajectory.
   *
   * @param id its id
   * @param trajectory as stored
   */
  public record StoredTrajectory(String id, Trajectory trajectory) {}

  /**
   * The answer to {@link TrajectoryQuery}.
   *
   * @param trajectories oldest first
   */
  public record Trajectories(List<StoredTrajectory> trajectories) {}

  /**
   * A link between two nodes, possibly of different documents.
   *
   * @param fromDocId the source document
   * @param fromNodeId the source node
   * @param toDocId the target document
   * @param toNodeId the target node
   * @param relationType such as {@code see_also}, {@code prerequisite}, {@code related}
   * @param reason why, or {@code null}
   * @param confidence 0 to 1, or {@code null}
   */
  public record CrossReference(String fromDocId, String fromNodeId, String toDocId,
      String toNodeId, String relationType, @Nullable String reason,
      @Nullable Double confidence) {}

  /**
   * Asks for the links of a node, in both directions.
   *
   * @param docId the node's document
   * @param nodeId the node
   */
  public record CrossReferenceQuery(String docId, String nodeId) {}

  /**
   * The answer to {@link CrossReferenceQuery}.
   *
   * @param outgoing links from the node, by target
   * @param incoming links to the node, by source
   */
  public record CrossReferences(List<CrossReference> outgoing, List<CrossReference> incoming) {}

  /**
   * One piece of evidence.
   *
   * @param docId the document, or {@code null}
   * @param nodeId the node
   * @param snippet the quoted text
   * @param stance {@code support}, {@code oppose} or {@code neutral}
   */
  public record Evidence(@Nullable String docId, String nodeId, String snippet, String stance) {}

  /**
   * A contradiction an agent found.
   *
   * @param caseId the case
   * @param criterionId the criterion
   * @param evidence the evidence pieces
   * @param conflicts descriptions of the conflicts
   * @param resolution how it was resolved, or {@code null}
   * @param timestamp when, or {@code null} for now
   */
  public record Contradiction(String caseId, String criterionId, List<Evidence> evidence,
      List<String> conflicts, @Nullable String resolution, @Nullable Instant timestamp) {}

  /**
   * Asks for contradictions.
   *
   * @param caseId the case
   * @param criterionId only this criterion, or {@code null}
   */
  public record ContradictionQuery(String caseId, @Nullable String criterionId) {}

  /**
   * A stored contradiction.
   *
   * @param id its id
   * @param contradiction as stored
   */
  public record StoredContradiction(String id, Contradiction contradiction) {}

  /**
   * The answer to {@link ContradictionQuery}.
   *
   * @param contradictions by criterion, then time
   */
  public record Contradictions(List<StoredContradiction> contradictions) {}
}
