package io.treestore.examples.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Request and response types of the {@code audit} store. All are records, so a transport that
 * has never seen this store maps them to and from JSON (or protobuf) by their components, as
 * it does for the bundled stores.
 *
 * <p>Ids (actor, action, document, node, detail keys) are 1 to 200 characters without control
 * characters, {@code /} or unpaired surrogates. Times are instants; a {@code null} timestamp on
 * a write means "now" by the TreeStore's clock. Time windows are half-open: {@code from}
 * inclusive, {@code to} exclusive, either may be {@code null} for unbounded.
 */
public final class AuditApi {
  private AuditApi() {}

  /**
   * Records that an actor did something, optionally to a document or one of its nodes.
   *
   * @param actor who did it, such as a user or agent id
   * @param action what was done, such as {@code document.read} or {@code node.update}
   * @param docId the document acted on, or {@code null}
   * @param nodeId the node acted on (requires {@code docId}), or {@code null}
   * @param details free-form string key-value details (at most
   *     {@value AuditStore#MAX_DETAILS} entries, values at most
   *     {@value AuditStore#MAX_DETAIL_VALUE} characters), or {@code null} for none
   * @param timestamp when it happened, or {@code null} for now
   */
  public record RecordEvent(String actor, String action, @Nullable String docId,
      @Nullable String nodeId, @Nullable Map<String, String> details,
      @Nullable Instant timestamp) {}

  /**
   * The answer to {@link RecordEvent}.
   *
   * @param id the new event's id, 16 hex digits, unique in the store
   * @param timestamp the timestamp stored (the request's, or now)
   */
  public record Recorded(String id, Instant timestamp) {}

  /**
   * Asks for one event by its id.
   *
   * @param id the id {@link Recorded} returned
   */
  public record GetEvent(String id) {}

  /**
   * Asks for an actor's events in a time window.
   *
   * @param actor the actor
   * @param from only events at or after this instant, or {@code null}
   * @param to only events before this instant, or {@code null}
   * @param limit at most this many events, 1 to {@value AuditStore#MAX_LIMIT}, or
   *     {@code null} for {@value AuditStore#DEFAULT_LIMIT}
   * @param newestFirst {@code true} for the newest events first; {@code null} or
   *     {@code false} for the oldest first
   */
  public record GetEvents(String actor, @Nullable Instant from, @Nullable Instant to,
      @Nullable Integer limit, @Nullable Boolean newestFirst) {}

  /**
   * Asks for the events about a document or one of its nodes, whoever the actor.
   *
   * @param docId the document
   * @param nodeId the node, or {@code null} for every event about the document (those about
   *     its nodes included)
   * @param from only events at or after this instant, or {@code null}
   * @param to only events before this instant, or {@code null}
   * @param limit at most this many events, 1 to {@value AuditStore#MAX_LIMIT}, or
   *     {@code null} for {@value AuditStore#DEFAULT_LIMIT}
   * @param newestFirst {@code true} for the newest events first; {@code null} or
   *     {@code false} for the oldest first
   */
  public record GetEventsForTarget(String docId, @Nullable String nodeId,
      @Nullable Instant from, @Nullable Instant to, @Nullable Integer limit,
      @Nullable Boolean newestFirst) {}

  /**
   * A stored event.
   *
   * @param id its id
   * @param actor who did it
   * @param action what was done
   * @param docId the document acted on, or {@code null}
   * @param nodeId the node acted on, or {@code null}
   * @param details the details, keys in ascending order (empty if none were given)
   * @param timestamp when it happened
   */
  public record AuditEvent(String id, String actor, String action, @Nullable String docId,
      @Nullable String nodeId, Map<String, String> details, Instant timestamp) {}

  /**
   * The answer to {@link GetEvents} and {@link GetEventsForTarget}.
   *
   * @param events the events in the order asked for; ties in time come in id order
   * @param more whether more events matched than the limit let through
   */
  public record Events(List<AuditEvent> events, boolean more) {}
}
