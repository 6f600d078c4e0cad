/** Storage for what decides and shapes a delivery: types, templates, devices, preferences. */
import type { Channel, DeviceAddress } from '../domain/channels.ts';
import type { NotificationTypeDef } from '../domain/notification-types.ts';
import type { PreferenceSettings, RecipientPreferences } from '../domain/preferences.ts';
import type { StoredTemplate } from '../domain/templates.ts';

export type { StoredTemplate };

export interface NotificationTypeStore {
  /** Creates or replaces a type; `created` tells which. */
  put(serviceId: string, type: NotificationTypeDef): Promise<{ type: NotificationTypeDef; created: boolean }>;
  get(serviceId: string, key: string): Promise<NotificationTypeDef | null>;
  list(serviceId: string): Promise<NotificationTypeDef[]>;
}

export interface TemplateStore {
  /** Saves a new version (the previous ones stay) and returns it. */
  save(
    serviceId: string,
    t: { typeKey: string; channel: Channel; locale: string; content: Record<string, unknown> },
  ): Promise<StoredTemplate>;
  /** The newest version of each (channel, locale) of a type. */
  latest(serviceId: string, typeKey: string): Promise<StoredTemplate[]>;
  /** Every version of one (type, channel, locale), newest first. */
  history(serviceId: string, typeKey: string, channel: Channel, locale: string): Promise<StoredTemplate[]>;
}

export interface NewDevice {
  platform: DeviceAddress['platform'];
  token: string;
  keys: { p256dh: string; auth: string } | null;
}

export interface DeviceStore {
  /** Registers a device; the same token registered again moves to this recipient and is active again. */
  register(serviceId: string, recipientId: string, device: NewDevice): Promise<DeviceAddress>;
  list(serviceId: string, recipientId: string): Promise<DeviceAddress[]>;
  remove(serviceId: string, recipientId: string, deviceId: string): Promise<boolean>;
  /** Marks a device inactive (its provider said the token or subscription is gone); kept for the record. */
  deactivate(serviceId: string, deviceId: string): Promise<boolean>;
}

export interface PreferenceStore {
  /** null when the recipient does not exist for this service. */
  get(serviceId: string, recipientId: string): Promise<RecipientPreferences | null>;
  /** Read-modify-write under a row lock, so two saves never lose each other's changes. */
  update(
    serviceId: string,
    recipientId: string,
    change: (current: RecipientPreferences) => RecipientPreferences,
  ): Promise<RecipientPreferences | null>;
  serviceDefaults(serviceId: string): Promise<PreferenceSettings>;
  setServiceDefaults(serviceId: string, defaults: PreferenceSettings): Promise<void>;
  /** Distinct notifications that reached (or will reach) this recipient since `since`, not counting `exclude`. */
  countRecent(serviceId: string, recipientId: string, since: Date, exclude: string): Promise<number>;
}

export interface ErasureStore {
  /**
   * Forgets a recipient: contact data, devices, preferences, message content and addresses go; delivery
   * rows stay with their channel, status and times under an unlinkable id, so counts still add up.
   */
  erase(serviceId: string, recipientId: string): Promise<{ erased: boolean; deliveriesAnonymised: number }>;
}
