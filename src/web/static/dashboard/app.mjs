// The operator dashboard shell: sign-in (the token lives in sessionStorage only, never in a URL),
// navigation by hash, and the API client every page uses.
import { h, render } from '/ui/vendor/preact.mjs';
import { useEffect, useState } from '/ui/vendor/preact-hooks.mjs';
import htm from '/ui/vendor/htm.mjs';
import { PAGES } from '/ui/pages.mjs';

const html = htm.bind(h);
const KEY = 'herald-dashboard';
const embedded = document.body.dataset.embedded === 'true';

function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}

export function makeApi(token) {
  return async function api(path, { method = 'GET', body } = {}) {
    const res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
    return data;
  };
}

/** Which kind of token this is: the admin token can list services, a service key can read its service. */
async function identify(token) {
  const api = makeApi(token);
  try {
    await api('/v1/admin/services');
    return { role: 'admin', name: 'Operator' };
  } catch {
    /* not the admin token */
  }
  const service = await api('/v1/service');
  return { role: 'service', name: service.name ?? 'Service' };
}

function SignIn({ onSession }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const token = new FormData(e.currentTarget).get('token')?.toString().trim() ?? '';
    setBusy(true);
    setError('');
    try {
      const who = await identify(token);
      const session = { token, ...who };
      sessionStorage.setItem(KEY, JSON.stringify(session));
      onSession(session);
    } catch {
      setError('That token was not accepted.');
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="container">
    <article style="max-width: 32rem; margin: 4rem auto">
      <h1>Sign in to Herald</h1>
      <form onSubmit=${submit}>
        <label
          >Admin token or service API key
          <input name="token" type="password" autocomplete="off" required placeholder="hadm_… or hk_…"
        /></label>
        <small class="muted">Kept in this tab only (sessionStorage); closing the tab forgets it.</small>
        ${error && html`<p role="alert" class="status status-failed">${error}</p>`}
        <button type="submit" aria-busy=${busy}>Sign in</button>
      </form>
    </article>
  </main>`;
}

function currentRoute() {
  return location.hash.replace(/^#\/?/, '').split('?')[0] || '';
}

function App() {
  const [session, setSession] = useState(loadSession);
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  if (!session) return html`<${SignIn} onSession=${setSession} />`;
  const pages = PAGES.filter((p) => p.roles.includes(session.role) && (!p.embeddedOnly || embedded));
  const page = pages.find((p) => p.id === route) ?? pages[0];
  const api = makeApi(session.token);
  const signOut = () => {
    sessionStorage.removeItem(KEY);
    setSession(null);
  };
  return html`
    <header class="container-fluid">
      <nav>
        <ul>
          <li><strong>Herald</strong> <span class="muted">${session.name}</span></li>
        </ul>
        <ul>
          ${pages.map(
            (p) =>
              html`<li>
                <a href=${`#/${p.id}`} aria-current=${p === page ? 'page' : undefined}>${p.title}</a>
              </li>`,
          )}
          <li><a href="#" onClick=${(e) => (e.preventDefault(), signOut())}>Sign out</a></li>
        </ul>
      </nav>
    </header>
    <main class="container-fluid" id=${`page-${page.id}`}>
      <${page.component} api=${api} key=${page.id} />
    </main>
  `;
}

render(html`<${App} />`, document.getElementById('app'));
