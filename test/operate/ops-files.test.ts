/**
 * The alert rules and Grafana dashboard in ops/: the rules file has the structure Prometheus loads
 * (groups[].rules[] with alert, expr, for, labels.severity, annotations.summary), and every metric
 * either file names is one Herald exports (promtool is not at hand, so this is the check).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { createPromMetrics } from '../../src/adapters/metrics/prom-metrics.ts';

const read = (name: string) => readFileSync(new URL(`../../ops/${name}`, import.meta.url), 'utf8');

async function exportedNames(): Promise<Set<string>> {
  // The queue gauges exist only with a snapshot source; this one is never scraped.
  const metrics = createPromMetrics({
    defaults: false,
    snapshot: async () => ({ lanes: [], dead: [], planning: 0 }),
  });
  const names = new Set<string>(['up']);
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers followed by a selector, range or `)`/`by`. */
const metricsIn = (expr: string) => [...expr.matchAll(/\b(herald_[a-z_]+|up)\b/g)].map((m) => m[1] as string);

describe('ops files', () => {
  it('the Prometheus rules parse and have the structure Prometheus loads', async () => {
    const doc = parse(read('prometheus-rules.yml')) as { groups: unknown[] };
    assert.ok(Array.isArray(doc.groups) && doc.groups.length > 0);
    const known = await exportedNames();
    const alerts = new Set<string>();
    for (const g of doc.groups as { name: string; rules: Record<string, any>[] }[]) {
      assert.equal(typeof g.name, 'string');
      assert.ok(Array.isArray(g.rules) && g.rules.length > 0, g.name);
      for (const r of g.rules) {
        assert.deepEqual(Object.keys(r).sort(), ['alert', 'annotations', 'expr', 'for', 'labels']);
        assert.match(r.alert, /^[A-Z][A-Za-z0-9]+$/);
        assert.ok(!alerts.has(r.alert), `duplicate alert ${r.alert}`);
        alerts.add(r.alert);
        assert.match(r.for, /^\d+[smh]$/);
        assert.ok(['warning', 'critical'].includes(r.labels.severity), r.alert);
        assert.equal(typeof r.annotations.summary, 'string');
        assert.equal(typeof r.annotations.description, 'string');
        const balance = [...(r.expr as string)].reduce((n, c) => n + (c === '(' ? 1 : c === ')' ? -1 : 0), 0);
        assert.equal(balance, 0, `${r.alert}: unbalanced parentheses`);
        const used = metricsIn(r.expr);
        assert.ok(used.length > 0, r.alert);
        for (const m of used) assert.ok(known.has(m), `${r.alert} uses unknown metric ${m}`);
      }
    }
    assert.ok(alerts.size >= 8);
  });

  it('the Grafana dashboard is valid JSON whose every panel queries exported metrics', async () => {
    const dash = JSON.parse(read('grafana-dashboard.json')) as { panels: any[]; uid: string };
    assert.equal(dash.uid, 'herald-overview');
    const known = await exportedNames();
    const seen = new Set<string>();
    for (const p of dash.panels) {
      assert.ok(p.targets.length > 0, p.title);
      for (const t of p.targets)
        for (const m of metricsIn(t.expr)) {
          assert.ok(known.has(m), `${p.title} uses unknown metric ${m}`);
          seen.add(m.replace(/_(bucket|sum|count)$/, ''));
        }
    }
    // Every metric Herald exports has a panel.
    for (const m of known)
      if (m.startsWith('herald_') && !/_(bucket|sum|count)$/.test(m))
        assert.ok(seen.has(m), `no panel for ${m}`);
  });
});
