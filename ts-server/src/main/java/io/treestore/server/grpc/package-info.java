/** The gRPC transport plugin ({@code treestore.v1.TreeStoreService}, health, reflection). */
package io.treestore.server.grpc;
