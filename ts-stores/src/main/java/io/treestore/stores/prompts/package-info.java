/** The {@code prompts} store: versioned system prompts, tool schemas and prompt usage. */
package io.treestore.stores.prompts;
