/** `<HeraldProvider>` and the headless hooks over one recipient's inbox and preferences. */
import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { complete, type Preferences, type PreferencesAdapter, type PreferencesPatch } from './preferences.ts';
import { InboxStore, type Action, type Credentials, type InboxItem } from './store.ts';

export type { Preferences, PreferencesAdapter, PreferencesPatch } from './preferences.ts';

interface HeraldContext {
  store: InboxStore;
  preferences: PreferencesAdapter;
}

const Context = createContext<HeraldContext | null>(null);

export interface HeraldProviderProps extends Credentials {
  /** Where preferences are read and saved; default: Herald's own, with the recipient's credentials. */
  preferences?: PreferencesAdapter;
  children?: ReactNode;
}

/** Holds the recipient's credentials and one live inbox stream for every component under it. */
export function HeraldProvider(props: HeraldProviderProps) {
  const { baseUrl, token, serviceId, recipientId, hmac, transport, preferences, children } = props;
  const store = useMemo(
    () => new InboxStore({ baseUrl, token, serviceId, recipientId, hmac, transport }),
    [baseUrl, token, serviceId, recipientId, hmac, transport],
  );
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  const value = useMemo(
    () => ({ store, preferences: preferences ?? store.preferences }),
    [store, preferences],
  );
  return createElement(Context.Provider, { value }, children);
}

function useHerald(): HeraldContext {
  const ctx = useContext(Context);
  if (!ctx) throw new Error('Herald hooks must be used inside <HeraldProvider>');
  return ctx;
}

function useInboxState() {
  const { store } = useHerald();
  return [useSyncExternalStore(store.subscribe, store.snapshot, store.snapshot), store] as const;
}

/** The items, paging, and actions that show at once and roll back if Herald refuses them. */
export function useInbox() {
  const [state, store] = useInboxState();
  return {
    items: state.items,
    counts: state.counts,
    connection: state.connection,
    error: state.error,
    hasMore: state.nextCursor !== null,
    loadMore: useCallback(() => store.loadMore(), [store]),
    act: useCallback((id: string, action: Action) => store.act(id, action), [store]),
    markRead: useCallback((id: string) => store.act(id, 'read'), [store]),
    markUnread: useCallback((id: string) => store.act(id, 'unread'), [store]),
    markSeen: useCallback((id: string) => store.act(id, 'seen'), [store]),
    archive: useCallback((id: string) => store.act(id, 'archive'), [store]),
    unarchive: useCallback((id: string) => store.act(id, 'unarchive'), [store]),
    markAllRead: useCallback(() => store.markAll('read'), [store]),
    markAllSeen: useCallback(() => store.markAll('seen'), [store]),
    /** Drops the stream as a network loss would (for tests and "reconnect" buttons). */
    reconnect: useCallback(() => store.drop(), [store]),
  };
}

/** The unread count, as Herald's last event said (true across tabs and after missed events). */
export function useUnreadCount(): number {
  return useInboxState()[0].counts.unread;
}

/** Calls `cb` for each notification that arrives while mounted (not for the ones already listed). */
export function useHeraldEvent(event: 'notification', cb: (item: InboxItem) => void) {
  const { store } = useHerald();
  const latest = useRef(cb);
  latest.current = cb;
  useEffect(() => {
    if (event !== 'notification') return;
    return store.onCreated((item) => latest.current(item));
  }, [store, event]);
}

/** The recipient's preferences: Herald's own by default, or through the adapter given to the provider. */
export function usePreferences() {
  const { preferences } = useHerald();
  const [value, setValue] = useState<Preferences | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    preferences.load().then(
      (p) => live && setValue(complete(p)),
      (e: Error) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [preferences]);
  const update = useCallback(
    async (patch: PreferencesPatch) => {
      const before = value;
      if (before) {
        const types = { ...before.types };
        for (const [k, v] of Object.entries(patch.types ?? {})) {
          if (v === null) delete types[k];
          else types[k] = { ...types[k], ...v };
        }
        setValue({ ...before, channels: { ...before.channels, ...patch.channels }, types });
      }
      try {
        setValue(complete(await preferences.save(patch)));
        setError(null);
      } catch (e) {
        setValue(before);
        setError(e as Error);
        throw e;
      }
    },
    [preferences, value],
  );
  return { preferences: value, error, loading: value === null && error === null, update };
}
