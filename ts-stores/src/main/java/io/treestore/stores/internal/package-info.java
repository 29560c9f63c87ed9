/** Helpers shared by the bundled stores: input checks, ids, JSON record codec. */
package io.treestore.stores.internal;
