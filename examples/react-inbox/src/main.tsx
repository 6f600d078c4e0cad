/**
 * A demo page for one recipient: the bell and inbox in the header, the preference centre below, and
 * buttons that ask the demo backend to send a notification. The backend (server.ts) holds the API
 * key and signs the recipient id; the browser only ever sees the recipient's HMAC.
 */
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { en, fr, HeraldProvider, Inbox, PreferenceCenter, useHeraldEvent } from '@herald/react';

interface DemoConfig {
  baseUrl: string;
  serviceId: string;
  recipientId: string;
  hmac: string;
}

const TYPES = [
  { key: 'comment', label: 'Comments on your posts' },
  { key: 'order_shipped', label: 'Shipping updates' },
];

async function send(type: string): Promise<string> {
  const res = await fetch('/demo/send', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type }),
  });
  const answer = (await res.json()) as { id?: string; error?: { message: string } };
  return res.ok ? `Sent ${answer.id ?? ''}` : `Refused: ${answer.error?.message ?? res.status}`;
}

function LastArrival() {
  const [title, setTitle] = useState<string | null>(null);
  useHeraldEvent('notification', (item) => setTitle(item.title));
  return <p>{title ? `Just arrived: ${title}` : 'Nothing has arrived since the page opened.'}</p>;
}

function App({ config }: { config: DemoConfig }) {
  const [lang, setLang] = useState<'en' | 'fr'>('en');
  const [status, setStatus] = useState('');
  const strings = lang === 'fr' ? fr : en;
  return (
    <HeraldProvider {...config}>
      <header style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <strong>Acme</strong>
        <Inbox strings={strings} />
      </header>
      <main>
        <h1>Herald inbox demo</h1>
        <p>
          Signed in as <code>{config.recipientId}</code>.{' '}
          <label>
            Language{' '}
            <select value={lang} onChange={(e) => setLang(e.target.value === 'fr' ? 'fr' : 'en')}>
              <option value="en">English</option>
              <option value="fr">Français</option>
            </select>
          </label>
        </p>
        <p>
          {TYPES.map((t) => (
            <button key={t.key} type="button" onClick={() => void send(t.key).then(setStatus)}>
              Send “{t.label}”
            </button>
          ))}
        </p>
        <p role="status">{status}</p>
        <LastArrival />
        <PreferenceCenter types={TYPES} channels={['in_app', 'email']} strings={strings} />
      </main>
    </HeraldProvider>
  );
}

const config = (await (await fetch('/demo/config')).json()) as DemoConfig;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App config={config} />
  </StrictMode>,
);
