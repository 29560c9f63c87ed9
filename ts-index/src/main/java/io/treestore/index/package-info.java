/**
 * Tuple keys ({@link io.treestore.index.Tuple}, {@link io.treestore.index.TupleRange}),
 * index definitions and tables that keep their secondary indexes in the record's transaction
 * ({@link io.treestore.index.Table}), with a consistency checker.
 */
package io.treestore.index;
