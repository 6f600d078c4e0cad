/**
 * A recipient's preferences, read and changed through a PreferencesAdapter. By default the adapter
 * is Herald's `GET`/`PATCH /v1/inbox/preferences` with the inbox's recipient credentials; a service
 * can pass its own (to go through its backend instead).
 */
export interface PreferencesAdapter {
  load(): Promise<Preferences>;
  save(patch: PreferencesPatch): Promise<Preferences>;
}
export interface Preferences {
  channels: Record<string, boolean>;
  /** Per type, the channels switched on or off for it. */
  types: Record<string, Record<string, boolean>>;
  [more: string]: unknown;
}
/** Channel and type switches merge; a type set to `null` loses its rule. */
export interface PreferencesPatch {
  channels?: Record<string, boolean>;
  types?: Record<string, Record<string, boolean> | null>;
  [more: string]: unknown;
}

/** Herald leaves out what was never set: the hooks always see both maps. */
export const complete = (p: Partial<Preferences>): Preferences => ({
  ...p,
  channels: p.channels ?? {},
  types: p.types ?? {},
});
