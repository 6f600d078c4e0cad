/**
 * What every accept reads and almost nothing writes (API keys, notification types, stored templates)
 * kept in each process, in front of the stores; and each service's preference defaults, which the
 * planner reads for every batch.
 *
 * A change made through a wrapped store clears this process's entries at once and announces itself
 * on the wake channel, so every other process clears its own (`invalidate`). When that message is
 * lost (a listener reconnecting), an entry still lives at most `ttlMs`: a revoked key stops working
 * within that bound everywhere. Misses for the same key share one read; a read that began before a
 * clear is not stored after it, so a clear is never undone by a slow read.
 */
import type { ApiKeyStore } from '../ports/store.ts';
import type { TriggerRuleStore } from '../ports/events.ts';
import type { NotificationTypeStore, PreferenceStore, TemplateStore } from '../ports/preferences-store.ts';

export interface MetadataCacheOptions {
  /** How long an entry may live without being cleared: the staleness bound when a message is lost. */
  ttlMs?: number;
  /** Tells the other processes that something cached changed. */
  announce(): Promise<void>;
  now?: () => number;
  /** Entries kept per kind; beyond it the oldest go first. */
  maxEntries?: number;
}

interface Entry<V> {
  value: V;
  expires: number;
}

class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  private generation = 0;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(ttlMs: number, now: () => number, maxEntries: number) {
    this.ttlMs = ttlMs;
    this.now = now;
    this.maxEntries = maxEntries;
  }

  async get(key: string, load: () => Promise<V>, keep: (v: V) => boolean = () => true): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const promise = load().then(
      (value) => {
        this.loading.delete(key);
        if (generation === this.generation && keep(value)) {
          this.entries.delete(key);
          if (this.entries.size >= this.maxEntries) {
            const oldest = this.entries.keys().next();
            if (!oldest.done) this.entries.delete(oldest.value);
          }
          this.entries.set(key, { value, expires: this.now() + this.ttlMs });
        }
        return value;
      },
      (err: unknown) => {
        this.loading.delete(key);
        throw err;
      },
    );
    this.loading.set(key, promise);
    return promise;
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.loading.clear();
  }
}

export interface MetadataCache {
  keys(store: ApiKeyStore): ApiKeyStore;
  types(store: NotificationTypeStore): NotificationTypeStore;
  templates(store: TemplateStore): TemplateStore;
  /** Trigger rules, which broker sources read for every batch they expand as it arrives. */
  rules(store: TriggerRuleStore): TriggerRuleStore;
  /** Only the service defaults are kept; a recipient's own preferences are read each time. */
  preferences(store: PreferenceStore): PreferenceStore;
  /** Another process changed something: forget everything cached here. */
  invalidate(): void;
}

export function createMetadataCache(options: MetadataCacheOptions): MetadataCache {
  const ttl = options.ttlMs ?? 1000;
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? 10_000;
  const keyRows = new TtlCache<Awaited<ReturnType<ApiKeyStore['findByPublicId']>>>(ttl, now, max);
  const typeRows = new TtlCache<Awaited<ReturnType<NotificationTypeStore['get']>>>(ttl, now, max);
  const templateRows = new TtlCache<Awaited<ReturnType<TemplateStore['latest']>>>(ttl, now, max);
  const ruleRows = new TtlCache<Awaited<ReturnType<TriggerRuleStore['get']>>>(ttl, now, max);
  const defaultRows = new TtlCache<Awaited<ReturnType<PreferenceStore['serviceDefaults']>>>(ttl, now, max);
  const invalidate = () => {
    keyRows.clear();
    typeRows.clear();
    templateRows.clear();
    ruleRows.clear();
    defaultRows.clear();
  };
  /** After a change: this process forgets at once, the others when the announcement arrives. */
  const changed = async <T>(result: T): Promise<T> => {
    invalidate();
    await options.announce();
    return result;
  };
  const id = (...parts: string[]) => JSON.stringify(parts);
  return {
    invalidate,
    keys: (store) => ({
      // Unknown public ids are not kept: anyone can make up as many as they like.
      findByPublicId: (publicId) =>
        keyRows.get(
          publicId,
          () => store.findByPublicId(publicId),
          (row) => row !== null,
        ),
      create: async (serviceId, key) => changed(await store.create(serviceId, key)),
      list: (serviceId) => store.list(serviceId),
      revoke: async (serviceId, keyId) => changed(await store.revoke(serviceId, keyId)),
    }),
    types: (store) => ({
      get: (serviceId, key) => typeRows.get(id(serviceId, key), () => store.get(serviceId, key)),
      list: (serviceId) => store.list(serviceId),
      put: async (serviceId, type) => changed(await store.put(serviceId, type)),
    }),
    templates: (store) => ({
      latest: (serviceId, typeKey) =>
        templateRows.get(id(serviceId, typeKey), () => store.latest(serviceId, typeKey)),
      history: (...args) => store.history(...args),
      save: async (serviceId, t) => changed(await store.save(serviceId, t)),
    }),
    rules: (store) => ({
      get: (serviceId, event) => ruleRows.get(id(serviceId, event), () => store.get(serviceId, event)),
      list: (serviceId, cursor, limit) => store.list(serviceId, cursor, limit),
      put: async (serviceId, event, notifications) =>
        changed(await store.put(serviceId, event, notifications)),
      delete: async (serviceId, event) => changed(await store.delete(serviceId, event)),
    }),
    preferences: (store) => ({
      get: (...args) => store.get(...args),
      update: (...args) => store.update(...args),
      countRecent: (...args) => store.countRecent(...args),
      serviceDefaults: (serviceId) => defaultRows.get(serviceId, () => store.serviceDefaults(serviceId)),
      setServiceDefaults: async (serviceId, defaults) =>
        changed(await store.setServiceDefaults(serviceId, defaults)),
    }),
  };
}
