import { createServer, type RequestListener, type Server } from 'node:http';

/** Limits on slow or numerous clients; 0 turns one off. */
export interface ServerLimits {
  /** Time to receive the request headers (slowloris). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included. */
  requestTimeoutMs: number;
  /** Idle time a keep-alive socket is kept between requests. */
  keepAliveTimeoutMs: number;
  /** Open sockets at once; more are closed on arrival. */
  maxConnections: number;
}

/**
 * The Node HTTP server for the app, with its timeouts and connection cap.
 * Node checks the header and request timeouts on a sweep that runs every
 * 30 s by default, which would let a slow socket live up to 30 s longer than
 * configured; the sweep here runs at a quarter of the shortest timeout
 * (at least once a second, at most every 25 ms).
 */
export function createHttpServer(app: RequestListener, limits: ServerLimits): Server {
  const timeouts = [limits.headersTimeoutMs, limits.requestTimeoutMs].filter((timeout) => timeout > 0);
  const connectionsCheckingInterval = Math.min(1000, Math.max(25, Math.floor(Math.min(...timeouts, 4000) / 4)));
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval,
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  return server;
}
