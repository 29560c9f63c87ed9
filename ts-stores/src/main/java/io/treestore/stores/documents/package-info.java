/**
 * The {@code documents} and {@code versions} stores: PageIndex trees stored per version, read
 * by structure, page, path and keyword, and their version history.
 */
package io.treestore.stores.documents;
