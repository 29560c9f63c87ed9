/**
 * Order-preserving, self-delimiting tuple keys, index definitions (a primary keyspace plus
 * unique and non-unique secondary indexes declared by key extractors) and the index manager
 * that maintains every index in the record's transaction.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.index {
  requires static transitive org.jspecify;
  requires transitive io.treestore.txn;
  requires com.github.benmanes.caffeine;

  exports io.treestore.index;
}
