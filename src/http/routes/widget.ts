/** Serves the `<herald-inbox>` web component: one script tag on the service's site. */
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

// Read at the first request, not at start.
let widget: string | undefined;
const WIDGET = () =>
  (widget ??= readFileSync(new URL('../../web/static/widget.js', import.meta.url), 'utf8'));

export function widgetRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get('/widget.js', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('access-control-allow-origin', '*')
        .send(WIDGET()),
    );
  };
}
