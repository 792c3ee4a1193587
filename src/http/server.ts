/**
 * Listening: startHttpServer binds the app and returns its URL and a graceful close that stops
 * accepting connections, lets requests in flight finish (up to config http.shutdownGrace), then
 * closes idle keep-alive sockets and, past the grace, the rest.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { durationMs } from '../config/schema.js';
import type { AppContext } from '../jobs/context.js';
import { createApp, type AppOptions } from './app.js';

export interface HttpServerOptions extends AppOptions {
  /** 0 = an ephemeral port */
  port: number;
  host?: string;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(ctx: AppContext, options: HttpServerOptions): Promise<RunningHttpServer> {
  const app = createApp(ctx, options);
  const server = createServer(app);
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 60_000;
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  ctx.logger.info({ url }, 'http server listening');

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      const grace = durationMs(ctx.loaded.config.http.shutdownGrace);
      const timer = setTimeout(() => server.closeAllConnections(), grace);
      timer.unref();
      server.close((err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { url, port, close };
}
