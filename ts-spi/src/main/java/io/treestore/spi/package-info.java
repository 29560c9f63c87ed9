/**
 * The TreeStore facade ({@link io.treestore.spi.TreeStore}) and the store and transport
 * plugin SPIs.
 */
package io.treestore.spi;
