import { once } from 'node:events';
import type { PromMetrics } from './prom-metrics.ts';

/**
 * `node:http` taken as the CommonJS object it is. Imported as an ES module, Node builds its namespace
 * by reading every export, and the `WebSocket`, `CloseEvent` and `MessageEvent` getters among them
 * load Node's bundled undici (fetch, WebSocket, EventSource: several MB of heap) into every process,
 * although nothing here uses any of it.
 */
const { createServer } = process.getBuiltinModule('node:http');

/** A bare /metrics endpoint for worker processes, which have no API server of their own. */
export async function startMetricsServer(metrics: PromMetrics, host: string, port: number) {
  const server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'not_found', message: 'Only GET /metrics is served here.', details: null },
        }),
      );
      return;
    }
    metrics.render().then(
      (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
      () =>
        res.writeHead(500, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: { code: 'internal_error', message: 'Metrics could not be collected.', details: null },
          }),
        ),
    );
  });
  server.listen(port, host);
  await once(server, 'listening');
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
