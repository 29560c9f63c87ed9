/** The HTTP/JSON transport plugin. */
package io.treestore.server.http;
