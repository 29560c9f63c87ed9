/** Query parsing, posting layout, cursors, scoring and snippets of the full-text index. */
package io.treestore.fts.internal;
