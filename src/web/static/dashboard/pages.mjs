// The dashboard's pages. Each takes `api` (an authenticated fetch) and reads only documented routes.
import { h } from '/ui/vendor/preact.mjs';
import { useEffect, useRef, useState } from '/ui/vendor/preact-hooks.mjs';
import htm from '/ui/vendor/htm.mjs';
import uPlot from '/ui/vendor/uplot.mjs';

const html = htm.bind(h);
const FINAL = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'dead', 'suppressed'];
const Status = ({ s }) => html`<span class=${`status status-${s}`} data-status=${s}>${s}</span>`;
/** Words a person reads for the API's notification `status` and, once completed, its `outcome`. */
const OUTCOME_LABEL = {
  delivered: 'delivered',
  partly_delivered: 'partly delivered',
  undelivered: 'undelivered',
  suppressed: 'suppressed',
};
const OUTCOME_STYLE = {
  delivered: 'sent',
  partly_delivered: 'deferred',
  undelivered: 'dead',
  suppressed: '',
};
function NotificationLabel({ n }) {
  const label = (n.outcome && OUTCOME_LABEL[n.outcome]) ?? n.status;
  const style = n.outcome ? OUTCOME_STYLE[n.outcome] : n.status;
  return html`<span class=${`status status-${style}`} data-outcome=${n.outcome ?? ''}>${label}</span>`;
}
/** Text only screen readers announce. */
const Sr = ({ children }) => html`<span class="sr-only">${children}</span>`;
const when = (d) => (d ? new Date(d).toLocaleString() : '—');
const pct = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)} %`);
const ms = (v) => (v === null || v === undefined ? '—' : v < 1000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);

/** Loads once per change of `deps`; `reload` fetches again. */
function useLoad(fn, deps = []) {
  const [state, setState] = useState({ loading: true });
  const reload = () =>
    fn().then(
      (data) => setState({ data }),
      (err) => setState({ error: err.message }),
    );
  useEffect(() => {
    void reload();
  }, deps);
  return [state, reload];
}

function Loaded({ state, children }) {
  if (state.error) return html`<p role="alert" class="status status-failed">${state.error}</p>`;
  if (state.loading) return html`<p aria-busy="true">Loading…</p>`;
  return children(state.data);
}

/** A striped table: the column headings, and the rows as children. */
function Table({ head, id, children }) {
  return html`<table class="striped" id=${id}>
    <thead>
      <tr>
        ${head.map((h) => html`<th scope="col">${h || html`<${Sr}>Actions<//>`}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${children}
    </tbody>
  </table>`;
}

function ServicesPage({ api }) {
  const [state] = useLoad(() => api('/v1/admin/services'));
  return html`<h1>Services</h1>
    <${Loaded} state=${state}>
      ${(d) =>
        html`<${Table} head=${['Name', 'Id', 'Live keys', 'Created']}>
          ${d.data.map(
            (s) =>
              html`<tr>
                <td>${s.name}</td>
                <td><code>${s.id}</code></td>
                <td>${s.keys}</td>
                <td>${when(s.createdAt)}</td>
              </tr>`,
          )}
        <//>`}
    <//>`;
}

/** Replays one dead delivery, then watches it until it reaches a final state again. */
function useReplay(api, deliveryId, notificationId, initial) {
  const [status, setStatus] = useState(initial);
  const [error, setError] = useState('');
  const replay = async () => {
    setError('');
    try {
      await api(`/v1/deliveries/${deliveryId}/retry`, { method: 'POST' });
      setStatus('queued');
      for (let i = 0; i < 240; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const n = await api(`/v1/notifications/${notificationId}`);
        const now = n.deliveries.find((x) => x.id === deliveryId)?.status ?? 'queued';
        setStatus(now);
        if (FINAL.includes(now)) return;
      }
    } catch (err) {
      setError(err.message);
    }
  };
  return { status, error, replay };
}

function ReplayButton({ r, label }) {
  return html`${r.status === 'dead' && html`<button type="button" class="replay" onClick=${r.replay} aria-label=${label}>Replay</button>`}
  ${r.error && html` <small role="alert">${r.error}</small>`}`;
}

function TimelineDelivery({ api, n, d, history }) {
  const r = useReplay(api, d.id, n.id, d.status);
  return html`<section aria-label=${`${d.channel} delivery`}>
    <h3 class="delivery-head">
      <span>${d.channel}</span> <${Status} s=${r.status} />${' '}
      ${d.address && html`<code>${d.address}</code>`}${' '}
      ${d.reason && html`<small class="muted">${d.reason}</small>`}
    </h3>
    <${ReplayButton} r=${r} label=${`Replay the dead ${d.channel} delivery`} />
    <ul class="timeline">
      <li><small>${when(d.createdAt)}</small> planned</li>
      ${d.attempts.map(
        (a) =>
          html`<li>
            <small>${when(a.startedAt)}</small> attempt ${a.attempt} via ${a.provider ?? '—'}:${' '}
            <strong>${a.outcome}</strong> in ${ms(a.durationMs)}
            ${a.errorCode && html` · <code>${a.errorCode}</code> ${a.errorMessage}`}
          </li>`,
      )}
      ${history.data.map(
        (e) =>
          html`<li><small>${when(e.at)}</small> became <${Status} s=${e.status} /> ${e.reason ?? ''}</li>`,
      )}
    </ul>
  </section>`;
}

/** What the type's workflow steps decided, in order: why it waited, was throttled or digested. */
function WorkflowSteps({ steps }) {
  return html`<section aria-label="Workflow steps">
    <h3>Workflow</h3>
    <ul class="timeline">
      ${steps.map(
        (s) =>
          html`<li>
            <small>${when(s.at)}</small> step ${s.step + 1} (${s.type}):
            <strong>${s.decision.replaceAll('_', ' ')}</strong>
            ${
              Object.keys(s.detail).length > 0 &&
              html` <small class="muted"
                >${Object.entries(s.detail)
                  .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
                  .join(' · ')}</small
              >`
            }
          </li>`,
      )}
    </ul>
  </section>`;
}

function Timeline({ api, id }) {
  const heading = useRef(null);
  const [state] = useLoad(async () => {
    const n = await api(`/v1/notifications/${id}`);
    const histories = await Promise.all(n.deliveries.map((d) => api(`/v1/deliveries/${d.id}/history`)));
    return { n, histories };
  }, [id]);
  // Opening a notification takes keyboard and screen-reader focus to it.
  useEffect(() => heading.current?.focus(), [state.data]);
  return html`<${Loaded} state=${state}>
    ${({ n, histories }) =>
      html`<article id="timeline">
        <header>
          <h2 tabindex="-1" ref=${heading}>
            ${n.type} <small>to <code>${n.recipient ?? '—'}</code></small>
          </h2>
          <p><${NotificationLabel} n=${n} /> · accepted ${when(n.createdAt)}</p>
        </header>
        ${n.steps?.length > 0 && html`<${WorkflowSteps} steps=${n.steps} />`}
        ${n.deliveries.map(
          (d, i) =>
            html`<${TimelineDelivery} api=${api} n=${n} d=${d} history=${histories[i]} key=${d.id} />`,
        )}
      </article>`}
  <//>`;
}

function NotificationsPage({ api }) {
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState(null);
  const [state] = useLoad(() => api(`/v1/notifications?${query}`), [query]);
  const search = (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const params = new URLSearchParams();
    for (const k of ['recipient', 'type', 'deliveryStatus']) {
      const v = form.get(k)?.toString().trim();
      if (v) params.set(k, v);
    }
    setQuery(params.toString());
  };
  return html`<h1>Notifications</h1>
    <form onSubmit=${search} role="search" class="filters" aria-label="Find notifications">
      <label>Recipient <input name="recipient" placeholder="Recipient id" /></label>
      <label>Type <input name="type" placeholder="Type" /></label>
      <label
        >Delivery state
        <select name="deliveryStatus">
          <option value="">Any delivery state</option>
          ${['queued', 'sending', 'deferred', ...FINAL].map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
      </label>
      <button type="submit">Search</button>
    </form>
    <div class="grid-2">
      <${Loaded} state=${state}>
        ${(d) =>
          html`<${Table} head=${['Accepted', 'Type', 'Recipient', 'Deliveries']}>
            ${d.data.map(
              (n) =>
                html`<tr data-notification=${n.id}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-current=${selected === n.id ? 'true' : undefined}
                      onClick=${() => setSelected(n.id)}
                    >
                      <${Sr}>Open notification, accepted <//>${when(n.createdAt)}
                    </button>
                  </td>
                  <td>${n.type}</td>
                  <td>${n.recipientId}</td>
                  <td>
                    ${n.deliveries.map((x) => html`<span class="pair">${x.channel} <${Status} s=${x.status} /></span> `)}
                  </td>
                </tr>`,
            )}
          <//>`}
      <//>
      <div>
        ${selected ? html`<${Timeline} api=${api} id=${selected} />` : html`<p class="muted">Pick a notification to see its timeline.</p>`}
      </div>
    </div>`;
}

/** A replayed row watches its delivery until it reaches a final state again. */
function DeadRow({ api, d }) {
  const r = useReplay(api, d.id, d.notificationId, d.status);
  return html`<tr data-delivery=${d.id}>
    <td>${when(d.updatedAt)}</td>
    <td>${d.channel}</td>
    <td>${d.recipient}</td>
    <td>${d.attempts}</td>
    <td><code>${d.lastErrorCode ?? ''}</code> <small>${d.lastErrorMessage ?? ''}</small></td>
    <td><${Status} s=${r.status} /></td>
    <td class="row-actions">
      <${ReplayButton} r=${r} label=${`Replay the ${d.channel} delivery to ${d.recipient}`} />
    </td>
  </tr>`;
}

function DeadLettersPage({ api }) {
  const [state, reload] = useLoad(() => api('/v1/deliveries?status=dead&limit=200'));
  return html`<h1>Dead letters</h1>
    <p><button type="button" class="outline secondary" onClick=${reload}>Refresh</button></p>
    <${Loaded} state=${state}>
      ${(d) =>
        d.data.length === 0
          ? html`<p class="muted">No dead deliveries.</p>`
          : html`<${Table} head=${['Died', 'Channel', 'Recipient', 'Attempts', 'Last error', 'State', '']}>
              ${d.data.map((x) => html`<${DeadRow} api=${api} d=${x} key=${x.id} />`)}
            <//>`}
    <//>`;
}

function ProvidersPage({ api }) {
  const [state] = useLoad(() => api('/v1/providers'));
  return html`<h1>Provider health</h1>
    <${Loaded} state=${state}>
      ${(d) =>
        html`<${Table}
          head=${['Provider', 'Channel', 'Breaker', 'Succeeded', 'Failed', 'Error rate (1 min)', 'Workers']}
        >
          ${d.data.map(
            (p) =>
              html`<tr>
                <td>${p.name}</td>
                <td>${p.channel}</td>
                <td><${Status} s=${p.state} /></td>
                <td>${p.succeeded ?? '—'}</td>
                <td>${p.failed ?? '—'}</td>
                <td>${pct(p.errorRate)}</td>
                <td>${p.succeeded === null ? '—' : p.workers.length}</td>
              </tr>`,
          )}
        <//>`}
    <//>`;
}

function Chart({ buckets, from, to }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!ref.current || buckets.length === 0) return undefined;
    const xs = buckets.map((b) => new Date(b.start).getTime() / 1000);
    const series = ['sent', 'failed', 'dead', 'suppressed', 'opened'];
    const colors = ['#2e7d32', '#c62828', '#6a1b9a', '#9e9e9e', '#1565c0'];
    const plot = new uPlot(
      {
        width: Math.max(320, ref.current.clientWidth),
        height: 260,
        // The asked-for range, not the data's: one busy hour should not fill the whole width.
        scales: { x: { time: true, range: () => [Date.parse(from) / 1000, Date.parse(to) / 1000] } },
        series: [{}, ...series.map((s, i) => ({ label: s, stroke: colors[i], width: 2 }))],
        axes: [{}, { label: 'deliveries' }],
      },
      [xs, ...series.map((s) => buckets.map((b) => b.counts[s]))],
      ref.current,
    );
    return () => plot.destroy();
  }, [buckets, from, to]);
  return html`<div ref=${ref} id="analytics-chart"></div>`;
}

/** Sums the series into one set of buckets for the chart. */
function overall(series) {
  const byStart = new Map();
  for (const s of series)
    for (const b of s.buckets) {
      const into = byStart.get(b.start) ?? { start: b.start, counts: {} };
      for (const [k, v] of Object.entries(b.counts)) into.counts[k] = (into.counts[k] ?? 0) + v;
      byStart.set(b.start, into);
    }
  return [...byStart.values()].sort((a, b) => a.start.localeCompare(b.start));
}

function AnalyticsPage({ api }) {
  const [params, setParams] = useState({ interval: 'hour', groupBy: 'channel' });
  const [state] = useLoad(
    () => api(`/v1/analytics?${new URLSearchParams(params)}`),
    [params.interval, params.groupBy],
  );
  const set = (k) => (e) => setParams({ ...params, [k]: e.currentTarget.value });
  return html`<h1>Analytics</h1>
    <div class="grid-2">
      <label
        >Period
        <select onChange=${set('interval')} value=${params.interval}>
          <option value="hour">Last 24 hours, hourly</option>
          <option value="day">Last 30 days, daily</option>
        </select>
      </label>
      <label
        >Group by
        <select onChange=${set('groupBy')} value=${params.groupBy}>
          <option value="channel">By channel</option>
          <option value="type">By type</option>
          <option value="provider">By provider</option>
        </select>
      </label>
    </div>
    <${Loaded} state=${state}>
      ${(d) =>
        html`<${Chart} buckets=${overall(d.series)} from=${d.from} to=${d.to} />
          <${Table}
            id="analytics-totals"
            head=${[params.groupBy, 'Sent', 'Delivered', 'Failed', 'Dead', 'Suppressed', 'Opened', 'Clicked', 'Success', 'p50', 'p95', 'p99']}
          >
            ${d.series.map(
              (s) =>
                html`<tr>
                  <td>${s.key || '—'}</td>
                  ${['sent', 'delivered', 'failed', 'dead', 'suppressed', 'opened', 'clicked'].map((k) => html`<td>${s.totals.counts[k]}</td>`)}
                  <td>${pct(s.totals.rates.success)}</td>
                  <td>${ms(s.totals.latencyMs.p50)}</td>
                  <td>${ms(s.totals.latencyMs.p95)}</td>
                  <td>${ms(s.totals.latencyMs.p99)}</td>
                </tr>`,
            )}
          <//>
          <small class="muted">Accept-to-sent percentiles; counts are up to a few seconds behind.</small>`}
    <//>`;
}

function WebhooksPage({ api }) {
  const [state, reload] = useLoad(() => api('/v1/webhook-endpoints'));
  const [log, setLog] = useState(null);
  const enable = async (id) => {
    await api(`/v1/webhook-endpoints/${id}`, { method: 'PATCH', body: { enabled: true } });
    await reload();
  };
  const showLog = async (id) => setLog(await api(`/v1/webhook-endpoints/${id}/attempts?limit=50`));
  return html`<h1>Status webhooks</h1>
    <${Loaded} state=${state}>
      ${(d) =>
        html`<${Table} head=${['URL', 'Events', 'State', 'Failing since', '']}>
          ${d.data.map(
            (e) =>
              html`<tr>
                <td><code>${e.url}</code></td>
                <td>${e.events.join(', ')}</td>
                <td>
                  ${e.enabled ? html`<${Status} s="enabled" />` : html`<${Status} s="failed" /> <small>${e.disabledReason}</small>`}
                </td>
                <td>${when(e.failingSince)}</td>
                <td class="row-actions">
                  <button type="button" class="outline" onClick=${() => showLog(e.id)}>
                    Log<${Sr}> of ${e.url}<//>
                  </button>
                  ${!e.enabled && html` <button type="button" onClick=${() => enable(e.id)}>Re-enable</button>`}
                </td>
              </tr>`,
          )}
        <//>`}
    <//>
    ${
      log &&
      html`<h2>Delivery log</h2>
        <${Table} head=${['When', 'Event', 'Attempt', 'Answer', 'Message']}>
          ${log.data.map(
            (a) =>
              html`<tr>
                <td>${when(a.startedAt)}</td>
                <td><code>${a.eventId}</code> ${a.eventType}</td>
                <td>${a.attempt}</td>
                <td>${a.statusCode ?? a.error}</td>
                <td><${Status} s=${a.messageStatus} /></td>
              </tr>`,
          )}
        <//>`
    }`;
}

function OutboxPage({ api }) {
  const [state] = useLoad(() => api('/v1/outbox?limit=100'));
  const [open, setOpen] = useState(null);
  return html`<h1>Capture outbox</h1>
    <div class="grid-2">
      <${Loaded} state=${state}>
        ${(d) =>
          html`<${Table} head=${['Captured', 'Channel', 'To', 'Subject']}>
            ${d.data.map(
              (m) =>
                html`<tr data-message=${m.id}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-current=${open?.id === m.id ? 'true' : undefined}
                      onClick=${() => setOpen(m)}
                    >
                      <${Sr}>Open message, captured <//>${when(m.createdAt)}
                    </button>
                  </td>
                  <td>${m.channel}</td>
                  <td>${m.to}</td>
                  <td>${m.content.subject ?? m.content.title ?? ''}</td>
                </tr>`,
            )}
          <//>`}
      <//>
      <div>
        ${
          open
            ? html`<article>
                <header>
                  <h2>${open.content.subject ?? open.channel} <small>to ${open.to}</small></h2>
                </header>
                ${
                  open.content.html
                    ? html`<iframe
                        class="email"
                        sandbox=""
                        referrerpolicy="no-referrer"
                        title="Rendered email"
                        srcdoc=${open.content.html}
                      ></iframe>`
                    : html`<pre>${open.content.text ?? JSON.stringify(open.content, null, 2)}</pre>`
                }
              </article>`
            : html`<p class="muted">Pick a message to see it rendered.</p>`
        }
      </div>
    </div>`;
}

export const PAGES = [
  { id: 'services', title: 'Services', roles: ['admin'], component: ServicesPage },
  { id: 'notifications', title: 'Notifications', roles: ['service'], component: NotificationsPage },
  { id: 'dead', title: 'Dead letters', roles: ['service'], component: DeadLettersPage },
  { id: 'providers', title: 'Providers', roles: ['admin', 'service'], component: ProvidersPage },
  { id: 'analytics', title: 'Analytics', roles: ['service'], component: AnalyticsPage },
  { id: 'webhooks', title: 'Webhooks', roles: ['service'], component: WebhooksPage },
  { id: 'outbox', title: 'Outbox', roles: ['service'], component: OutboxPage, embeddedOnly: true },
];
