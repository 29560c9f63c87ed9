/**
 * The {@code audit} store, an example plugin: an append-only log of which actor did which
 * action to which document or node, queried by actor and time window or by target. See
 * {@link io.treestore.examples.audit.AuditStore} for its layout and
 * {@link io.treestore.examples.audit.AuditApi} for its requests and responses.
 */
package io.treestore.examples.audit;
