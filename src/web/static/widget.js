/*
 * <herald-inbox>: a notification bell with an unread badge and a panel, for any page.
 *
 *   <script src="https://herald.example/widget.js" defer></script>
 *   <herald-inbox service="SERVICE_ID" recipient="USER_ID" hmac="HEX_HMAC"></herald-inbox>
 *   (or token="JWT" instead of recipient + hmac; server="https://…" if not the script's origin)
 *
 * It lists the newest items, then follows the WebSocket stream (Server-Sent Events if WebSockets
 * fail), resuming from the last event id after any disconnect so nothing is missed or repeated.
 * Plain DOM in a shadow root: no framework, no styles leak in or out, except through the documented
 * custom properties (--herald-*) and parts (::part(bell), ::part(badge), …). Text is only ever set as text.
 */
(() => {
  const scriptOrigin = document.currentScript ? new URL(document.currentScript.src).origin : location.origin;
  // Every colour is a custom property the host page may set on herald-inbox (README, docs/inbox.md);
  // every part below can also be styled from outside with herald-inbox::part(name).
  const css = `
:host{position:relative;display:inline-block;font:var(--herald-font,14px/1.4 system-ui,sans-serif)}
button{font:inherit;cursor:pointer}
.bell{position:relative;background:none;border:0;padding:6px;border-radius:6px;line-height:0;
color:var(--herald-bell-color,inherit)}
.bell:hover{background:var(--herald-bell-hover-background,rgba(127,127,127,.18))}
.bell:focus-visible{outline:2px solid var(--herald-focus-color,currentColor);outline-offset:2px}
.panel :focus-visible{outline:2px solid var(--herald-focus-color,#0969da);outline-offset:2px}
.badge{position:absolute;top:0;right:0;min-width:18px;height:18px;padding:0 5px;box-sizing:border-box;
border-radius:9px;background:var(--herald-badge-background,#cf222e);color:var(--herald-badge-color,#fff);
font-size:11px;line-height:18px;text-align:center}
.badge[hidden],.panel[hidden]{display:none}
.panel{position:absolute;right:0;z-index:1000;width:var(--herald-panel-width,min(360px,90vw));max-height:70vh;
overflow:auto;margin-top:4px;text-align:left;color:var(--herald-panel-color,#1f2328);
background:var(--herald-panel-background,#fff);border:1px solid var(--herald-border-color,#d0d7de);
border-radius:var(--herald-radius,8px);box-shadow:0 8px 24px rgba(0,0,0,.15)}
.head{display:flex;justify-content:space-between;align-items:center;padding:8px 12px;
border-bottom:1px solid var(--herald-border-color,#d0d7de)}
h2{font-size:15px;margin:0}
.link{background:none;border:0;color:var(--herald-link-color,#0969da);padding:2px 4px}
ul{list-style:none;margin:0;padding:0}
li{padding:10px 12px;border-bottom:1px solid var(--herald-divider-color,#eaeef2)}
li.unread{background:var(--herald-unread-background,#f0f6ff)}
.title{font-weight:600;display:block;color:inherit}
.meta{display:flex;justify-content:space-between;font-size:12px;color:var(--herald-muted-color,#57606a);margin-top:4px}
.empty{padding:16px 12px;color:var(--herald-muted-color,#57606a)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;
  const bellSvg =
    '<svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/></svg>';
  const rel = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const ago = (iso) => {
    const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
    const a = Math.abs(s);
    if (a < 60) return rel.format(s, 'second');
    if (a < 3600) return rel.format(Math.round(s / 60), 'minute');
    if (a < 86400) return rel.format(Math.round(s / 3600), 'hour');
    return rel.format(Math.round(s / 86400), 'day');
  };
  const el = (tag, props, ...kids) => {
    const e = document.createElement(tag);
    const { part, ...rest } = props;
    Object.assign(e, rest);
    if (part) e.setAttribute('part', part);
    e.append(...kids);
    return e;
  };
  let seq = 0;

  class HeraldInbox extends HTMLElement {
    connectedCallback() {
      if (this.root) return this.#connect();
      const id = `herald-panel-${++seq}`;
      this.root = this.attachShadow({ mode: 'open' });
      this.items = [];
      this.counts = { unread: 0, unseen: 0 };
      this.lastEventId = null;
      this.bell = el('button', { className: 'bell', type: 'button', part: 'bell' });
      this.bell.innerHTML = bellSvg;
      this.bell.setAttribute('aria-expanded', 'false');
      this.bell.setAttribute('aria-controls', id);
      this.badge = el('span', { className: 'badge', hidden: true, part: 'badge' });
      this.badge.setAttribute('aria-hidden', 'true');
      this.bell.append(this.badge);
      this.live = el('span', { className: 'sr' });
      this.live.setAttribute('aria-live', 'polite');
      this.list = el('ul', { part: 'list' });
      this.readAll = el('button', {
        className: 'link',
        type: 'button',
        textContent: 'Mark all as read',
        part: 'action mark-all',
      });
      this.heading = el('h2', { textContent: 'Notifications', tabIndex: -1, id: `${id}-h`, part: 'heading' });
      // A plain div, not <header>: inside the host page, a header here would be a second banner landmark.
      this.panel = el(
        'div',
        { className: 'panel', id, hidden: true, part: 'panel' },
        el('div', { className: 'head', part: 'panel-header' }, this.heading, this.readAll),
        this.list,
      );
      this.panel.setAttribute('role', 'dialog');
      this.panel.setAttribute('aria-labelledby', `${id}-h`);
      this.root.append(el('style', { textContent: css }), this.bell, this.live, this.panel);
      this.bell.addEventListener('click', () => this.toggle());
      this.readAll.addEventListener('click', () => this.#post('/v1/inbox/read-all'));
      this.panel.addEventListener('keydown', (e) => e.key === 'Escape' && this.toggle(false));
      this.bell.addEventListener('keydown', (e) => e.key === 'Escape' && this.toggle(false));
      this.onDocClick = (e) => this.open && !e.composedPath().includes(this) && this.toggle(false, false);
      this.#render();
      this.#connect();
    }

    disconnectedCallback() {
      this.stopped = true;
      clearTimeout(this.retry);
      clearTimeout(this.watchdog);
      this.stream?.close();
      document.removeEventListener('click', this.onDocClick);
    }

    get base() {
      return (this.getAttribute('server') || scriptOrigin).replace(/\/$/, '');
    }

    #headers() {
      const token = this.getAttribute('token');
      if (token) return { authorization: `Bearer ${token}` };
      return {
        'x-herald-service': this.getAttribute('service') || '',
        'x-herald-recipient': encodeURIComponent(this.getAttribute('recipient') || ''),
        'x-herald-recipient-hmac': this.getAttribute('hmac') || '',
      };
    }

    async #fetch(path, method = 'GET') {
      const res = await fetch(this.base + path, { method, headers: this.#headers() });
      if (!res.ok) throw new Error(`Herald answered ${res.status} to ${path}`);
      return res.json();
    }

    #post(path) {
      return this.#fetch(path, 'POST').catch((err) => this.#fail(err));
    }

    #fail(err) {
      this.dispatchEvent(new CustomEvent('herald-error', { detail: err }));
    }

    toggle(force = !this.open, restoreFocus = true) {
      this.open = force;
      this.panel.hidden = !force;
      this.bell.setAttribute('aria-expanded', String(force));
      if (force) {
        this.heading.focus();
        document.addEventListener('click', this.onDocClick);
        if (this.counts.unseen > 0) this.#post('/v1/inbox/seen-all');
      } else {
        document.removeEventListener('click', this.onDocClick);
        if (restoreFocus) this.bell.focus();
      }
    }

    async #connect() {
      this.stopped = false;
      // For the host page's CSS and scripts: connecting | live | offline.
      this.dataset.connection = 'connecting';
      try {
        if (this.lastEventId === null) {
          // Counts first: their lastEventId is where the stream resumes, so the page cannot miss
          // an item created between this read and the stream opening.
          const counts = await this.#fetch('/v1/inbox/counts');
          const page = await this.#fetch('/v1/inbox/items?limit=20');
          this.lastEventId = counts.lastEventId;
          this.items = page.data;
          this.#setCounts(counts);
        }
        const { ticket } = await this.#fetch('/v1/inbox/tickets', 'POST');
        const query = `?ticket=${encodeURIComponent(ticket)}&since=${this.lastEventId}`;
        this.#open(query);
      } catch (err) {
        this.#fail(err);
        this.#reconnect();
      }
    }

    #open(query) {
      const onMessage = (text) => this.#onMessage(JSON.parse(text));
      const useSse = this.wsFailures >= 2 || typeof WebSocket !== 'function';
      if (useSse) {
        const es = new EventSource(`${this.base}/v1/inbox/events${query}`);
        es.onmessage = (e) => onMessage(e.data);
        // Its own retry would reuse a spent ticket: close and come back with a fresh one.
        es.onerror = () => this.#lost(es);
        this.stream = es;
      } else {
        const ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/v1/inbox/stream${query}`);
        ws.onopen = () => (this.wsFailures = 0);
        ws.onmessage = (e) => onMessage(e.data);
        ws.onclose = () => {
          if (this.stream === ws && !this.gotMessage) this.wsFailures = (this.wsFailures || 0) + 1;
          this.#lost(ws);
        };
        this.stream = ws;
      }
      this.gotMessage = false;
    }

    #lost(stream) {
      if (this.stream !== stream) return;
      stream.close();
      this.stream = null;
      clearTimeout(this.watchdog);
      this.#reconnect();
    }

    #reconnect() {
      if (this.stopped) return;
      this.dataset.connection = 'offline';
      this.attempt = (this.attempt || 0) + 1;
      const delay = Math.min(30000, 500 * 2 ** Math.min(this.attempt, 6)) * (0.5 + Math.random() / 2);
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.#connect(), delay);
    }

    #onMessage(m) {
      this.gotMessage = true;
      this.attempt = 0;
      this.dataset.connection = 'live';
      const stream = this.stream;
      clearTimeout(this.watchdog);
      // Two missed heartbeats mean a dead link even if the socket has not noticed.
      this.watchdog = setTimeout(
        () => this.#lost(stream),
        (m.heartbeatMs || this.heartbeatMs || 30000) * 2.5,
      );
      if (m.heartbeatMs) this.heartbeatMs = m.heartbeatMs;
      if (m.type === 'reset') {
        this.lastEventId = null;
        this.#lost(stream);
        return;
      }
      if (m.id !== undefined) this.lastEventId = m.id;
      const at = (id) => this.items.findIndex((i) => i.id === id);
      if (m.type === 'item.created' && at(m.item.id) < 0) this.items.unshift(m.item);
      if (m.type === 'item.updated') {
        const i = at(m.item.id);
        if (i >= 0) m.item.archivedAt ? this.items.splice(i, 1) : (this.items[i] = m.item);
      }
      if (m.type === 'item.removed' && at(m.itemId) >= 0) this.items.splice(at(m.itemId), 1);
      if (m.type === 'items.read_all') for (const i of this.items) i.readAt ||= m.at;
      if (m.type === 'items.seen_all') for (const i of this.items) i.seenAt ||= m.at;
      if (m.counts) this.#setCounts(m.counts);
      if (m.type !== 'heartbeat') this.#render();
    }

    #setCounts(counts) {
      const changed = counts.unread !== this.counts.unread;
      this.counts = counts;
      const n = counts.unread;
      this.badge.hidden = n === 0;
      this.badge.textContent = n > 99 ? '99+' : String(n);
      this.bell.setAttribute('aria-label', n ? `Notifications, ${n} unread` : 'Notifications');
      if (changed)
        this.live.textContent = n
          ? `${n} unread notification${n === 1 ? '' : 's'}`
          : 'No unread notifications';
    }

    #render() {
      const items = this.items.slice(0, 50);
      this.readAll.hidden = this.counts.unread === 0;
      if (items.length === 0)
        return this.list.replaceChildren(
          el('li', { className: 'empty', textContent: 'No notifications yet.', part: 'empty' }),
        );
      this.list.replaceChildren(
        ...items.map((item) => {
          const safeUrl = item.actionUrl && /^https?:\/\//i.test(item.actionUrl) ? item.actionUrl : null;
          const title = safeUrl
            ? el('a', { className: 'title', href: safeUrl, textContent: item.title, part: 'item-title' })
            : el('span', { className: 'title', textContent: item.title, part: 'item-title' });
          title.addEventListener(
            'click',
            () => !item.readAt && this.#post(`/v1/inbox/items/${item.id}/read`),
          );
          const mark = el('button', {
            className: 'link',
            type: 'button',
            textContent: item.readAt ? 'Mark as unread' : 'Mark as read',
            part: 'action mark',
          });
          mark.setAttribute('aria-label', `${mark.textContent}: ${item.title}`);
          mark.addEventListener('click', () =>
            this.#post(`/v1/inbox/items/${item.id}/${item.readAt ? 'unread' : 'read'}`),
          );
          const li = el(
            'li',
            { className: item.readAt ? 'read' : 'unread', part: item.readAt ? 'item' : 'item unread' },
            title,
            el('div', { textContent: item.body, part: 'item-body' }),
          );
          li.dataset.id = item.id;
          li.append(
            el(
              'div',
              { className: 'meta', part: 'item-meta' },
              el('time', { dateTime: item.createdAt, textContent: ago(item.createdAt), part: 'item-time' }),
              mark,
            ),
          );
          return li;
        }),
      );
    }
  }

  if (!customElements.get('herald-inbox')) customElements.define('herald-inbox', HeraldInbox);
})();
