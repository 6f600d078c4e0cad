/** @herald/react: Herald's inbox and preferences for React, headless hooks and styled defaults. */
export { HeraldProvider, useHeraldEvent, useInbox, usePreferences, useUnreadCount } from './hooks.ts';
export type { HeraldProviderProps, Preferences, PreferencesAdapter, PreferencesPatch } from './hooks.ts';
export { Inbox, PreferenceCenter, type InboxProps, type PreferenceCenterProps } from './components.ts';
export { en, fr, type HeraldStrings } from './strings.ts';
export { InboxStore, type Counts, type Credentials, type InboxItem, type InboxState } from './store.ts';
