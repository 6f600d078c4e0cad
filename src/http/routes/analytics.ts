/**
 * Analytics from the hourly rollups (adapters/store/kysely-analytics.ts): counts and rates per status
 * and accept-to-sent percentiles, per hour or day, optionally split by channel, type or provider.
 * A query reads at most one rollup row per hour × group × status, whatever the number of deliveries.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ANALYTICS_STATUSES, emptyCounts, rates, type Counts } from '../../domain/analytics.ts';
import { invalid } from '../../domain/errors.ts';
import { percentiles } from '../../domain/latency-histogram.ts';
import type { AnalyticsCell, AnalyticsStore } from '../../ports/analytics.ts';
import type { ApiKeyStore } from '../../ports/store.ts';
import { serviceAuth } from '../auth.ts';
import { DateTime, errorResponses } from '../schemas.ts';

const HOUR = 3_600_000;
const MAX_SPAN = { hour: 31 * 24 * HOUR, day: 400 * 24 * HOUR } as const;

const Nullable = Type.Union([Type.Number(), Type.Null()]);
const CountsSchema = Type.Object(Object.fromEntries(ANALYTICS_STATUSES.map((s) => [s, Type.Integer()])));
const Stats = {
  counts: CountsSchema,
  rates: Type.Object({
    success: Nullable,
    failure: Nullable,
    suppressed: Nullable,
    delivered: Nullable,
    opened: Nullable,
    clicked: Nullable,
  }),
  latencyMs: Type.Object({ p50: Nullable, p95: Nullable, p99: Nullable }),
};

function truncate(d: Date, interval: 'hour' | 'day'): Date {
  const step = interval === 'hour' ? HOUR : 24 * HOUR;
  return new Date(Math.floor(d.getTime() / step) * step);
}

function stats(counts: Counts, latency: Map<number, number>) {
  return { counts, rates: rates(counts), latencyMs: percentiles(latency) };
}

function merge(cells: AnalyticsCell[]) {
  const counts = emptyCounts();
  const latency = new Map<number, number>();
  for (const c of cells) {
    for (const s of ANALYTICS_STATUSES) counts[s] += c.counts[s];
    for (const [slot, n] of c.latency) latency.set(slot, (latency.get(slot) ?? 0) + n);
  }
  return stats(counts, latency);
}

export function analyticsRoutes(deps: { keys: ApiKeyStore; analytics: AnalyticsStore }): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', serviceAuth(deps.keys));
    app.get(
      '/v1/analytics',
      {
        schema: {
          tags: ['analytics'],
          summary:
            'Counts, rates and accept-to-sent percentiles per hour or day (UTC), optionally per channel, type or provider. Up to a minute behind.',
          security: [{ apiKey: [] }],
          querystring: Type.Object(
            {
              from: Type.Optional(Type.String({ format: 'date-time' })),
              to: Type.Optional(Type.String({ format: 'date-time' })),
              interval: Type.Enum(['hour', 'day'], { default: 'hour' }),
              groupBy: Type.Optional(Type.Enum(['channel', 'type', 'provider'])),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              from: DateTime,
              to: DateTime,
              interval: Type.String(),
              groupBy: Type.Union([Type.String(), Type.Null()]),
              series: Type.Array(
                Type.Object({
                  key: Type.String(),
                  totals: Type.Object(Stats),
                  buckets: Type.Array(Type.Object({ start: DateTime, ...Stats })),
                }),
              ),
            }),
            ...errorResponses(401, 422),
          },
        },
      },
      async (request) => {
        const q = request.query;
        const interval = q.interval;
        const to = q.to ? new Date(q.to) : new Date();
        const from = truncate(
          q.from
            ? new Date(q.from)
            : new Date(to.getTime() - (interval === 'hour' ? 24 * HOUR : 30 * 24 * HOUR)),
          interval,
        );
        if (!(to > from)) {
          throw invalid('validation_failed', '`to` must be after `from`.', [
            { in: 'querystring', path: '/to', message: 'must be after from' },
          ]);
        }
        if (to.getTime() - from.getTime() > MAX_SPAN[interval]) {
          throw invalid(
            'validation_failed',
            `At most ${MAX_SPAN[interval] / (24 * HOUR)} days per ${interval}ly query.`,
            [{ in: 'querystring', path: '/from', message: 'range too long for the interval' }],
          );
        }
        const cells = await deps.analytics.query({
          serviceId: request.serviceId,
          from,
          to,
          interval,
          groupBy: q.groupBy,
        });
        const byKey = new Map<string, AnalyticsCell[]>();
        for (const c of cells) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
        return {
          from,
          to,
          interval,
          groupBy: q.groupBy ?? null,
          series: [...byKey.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, list]) => ({
              key,
              totals: merge(list),
              buckets: list.map((c) => ({ start: c.start, ...stats(c.counts, c.latency) })),
            })),
        };
      },
    );
  };
}
