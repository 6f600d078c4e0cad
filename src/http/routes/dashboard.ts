/**
 * The operator dashboard: a page and its scripts, served as static files with no build step. The UI
 * toolkit (Preact + htm), the chart library (uPlot) and the stylesheet (Pico) come straight from
 * their npm packages; the only change made to them is pointing the hooks' bare `preact` import at
 * the served file, so no inline import map (and no relaxed CSP) is needed. The page holds no data:
 * it asks for a token and calls the API with it, so it is public, like /docs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { errorPayload } from '../errors.ts';

const require = createRequire(import.meta.url);
/** A package's folder, from its main entry (some packages do not export their package.json). */
const pkg = (name: string) => {
  const entry = require.resolve(name);
  const marker = `${join('node_modules', name)}`;
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length);
};
const own = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'static', 'dashboard');

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

interface Asset {
  type: string;
  body: string;
}

function loadAssets(): Map<string, Asset> {
  const read = (path: string) => readFileSync(path, 'utf8');
  const preactHooks = read(join(pkg('preact'), 'hooks', 'dist', 'hooks.module.js')).replace(
    /from\s*["']preact["']/g,
    'from"/ui/vendor/preact.mjs"',
  );
  return new Map<string, Asset>([
    ['/ui/vendor/preact.mjs', { type: JS, body: read(join(pkg('preact'), 'dist', 'preact.module.js')) }],
    ['/ui/vendor/preact-hooks.mjs', { type: JS, body: preactHooks }],
    ['/ui/vendor/htm.mjs', { type: JS, body: read(join(pkg('htm'), 'dist', 'htm.module.js')) }],
    ['/ui/vendor/uplot.mjs', { type: JS, body: read(join(pkg('uplot'), 'dist', 'uPlot.esm.js')) }],
    ['/ui/vendor/uplot.css', { type: CSS, body: read(join(pkg('uplot'), 'dist', 'uPlot.min.css')) }],
    ['/ui/vendor/pico.css', { type: CSS, body: read(join(pkg('@picocss/pico'), 'css', 'pico.min.css')) }],
    ['/ui/app.mjs', { type: JS, body: read(join(own, 'app.mjs')) }],
    ['/ui/pages.mjs', { type: JS, body: read(join(own, 'pages.mjs')) }],
    ['/ui/dashboard.css', { type: CSS, body: read(join(own, 'dashboard.css')) }],
  ]);
}

// Scripts only from here; emails in the outbox are shown in sandboxed srcdoc frames without scripts.
// Those frames inherit this policy, so images come only from here and data: URLs: a remote image
// in a captured email would tell its sender who opened the dashboard, and when.
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "frame-src 'self' about:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function dashboardRoutes(deps: { embedded: boolean }): FastifyPluginAsync {
  // Read at the first request for one: an idle Herald holds no copy of the vendored scripts.
  let assets: Map<string, Asset> | undefined;
  const index = readFileSync(join(own, 'index.html'), 'utf8').replace(
    '__HERALD_EMBEDDED__',
    deps.embedded ? 'true' : 'false',
  );
  return async (app) => {
    app.get(
      '/',
      {
        schema: {
          tags: ['dashboard'],
          summary:
            'The operator dashboard (asks for the admin token or a service key, kept in the tab only).',
        },
      },
      async (_request, reply) =>
        reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('content-security-policy', DASHBOARD_CSP)
          .header('referrer-policy', 'no-referrer')
          .header('cache-control', 'no-cache')
          .send(index),
    );
    app.get('/ui/*', { schema: { hide: true } }, async (request, reply) => {
      const asset = (assets ??= loadAssets()).get(request.url.split('?')[0] ?? '');
      if (!asset) {
        return reply
          .status(404)
          .send(errorPayload('not_found', `No route GET ${request.url.split('?')[0]}.`));
      }
      return reply
        .header('content-type', asset.type)
        .header('cache-control', 'public, max-age=300')
        .send(asset.body);
    });
  };
}
