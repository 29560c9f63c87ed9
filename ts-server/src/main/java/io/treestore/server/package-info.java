/** The {@code treestore} command line ({@link io.treestore.server.Main}). */
package io.treestore.server;
