/**
 * Which Netty socket transport the gateway's event loops and channels use: native epoll where it loads, NIO
 * otherwise ({@link dev.isthmus.gateway.io.IoTransport}). A leaf: it imports nothing of the gateway.
 */
package dev.isthmus.gateway.io;
