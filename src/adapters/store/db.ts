/** Table shapes as Kysely sees them. Column names are snake_case, as in the migrations. */
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Audience } from '../../domain/audience.ts';
import type { StepOverrides } from '../../domain/workflow-steps.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface ServicesTable {
  id: string;
  name: string;
  created_at: Generated<Date>;
  preference_defaults: ColumnType<Record<string, unknown>, string | undefined, string>;
  link_hosts: ColumnType<string[], string[] | undefined, string[]>;
}

export interface NotificationTypesTable {
  service_id: string;
  key: string;
  description: string;
  created_at: Generated<Date>;
  category: string | null;
  kind: Generated<string>;
  default_channels: ColumnType<string[], string | undefined, string>;
  ttl_seconds: number | null;
  collapse_key: string | null;
  updated_at: Generated<Date>;
  tracking: ColumnType<{ opens: boolean; clicks: boolean } | null, string | null | undefined, string | null>;
  steps: ColumnType<unknown[] | null, string | null | undefined, string | null>;
}

export interface ApiKeysTable {
  id: string;
  service_id: string;
  public_id: string;
  secret_hash: string;
  label: string | null;
  created_at: Generated<Date>;
  revoked_at: Timestamp | null;
}

export interface RecipientsTable {
  service_id: string;
  id: string;
  email: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  attributes: Json<Record<string, unknown>>;
  preferences: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface NotificationsTable {
  id: string;
  service_id: string;
  type: string;
  recipient_id: string | null;
  channels: Json<string[]>;
  data: Json<Record<string, unknown>>;
  content: Json<Record<string, unknown>>;
  priority: number;
  idempotency_key: string | null;
  request_hash: string;
  plan_status: Generated<string>;
  plan_error: string | null;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  created_at: Generated<Date>;
  planned_at: Timestamp | null;
  audience: ColumnType<Audience | null, string | null | undefined, string | null>;
  plan_cursor: ColumnType<string | null, string | null | undefined, string | null>;
  planned_count: ColumnType<string, number | undefined, number>;
  total_count: ColumnType<string | null, number | null | undefined, number | null>;
  cancelled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  step_overrides: ColumnType<StepOverrides | null, string | null | undefined, string | null>;
}

export interface DeliveriesTable {
  id: string;
  notification_id: string;
  service_id: string;
  recipient_id: string;
  channel: string;
  address: string | null;
  status: string;
  priority: number;
  provider: string | null;
  content: Json<Record<string, unknown>>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  reason: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  provider_message_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  sent_at: Timestamp | null;
  target: Generated<string>;
  template: ColumnType<TemplateRef | null, string | null | undefined, string | null>;
  replayed_at: Generated<Date | null>;
  bulk: Generated<boolean>;
}

export interface TemplateRef {
  locale: string;
  version: number;
}

export interface DevicesTable {
  id: string;
  service_id: string;
  recipient_id: string;
  platform: string;
  token: string;
  keys: ColumnType<{ p256dh: string; auth: string } | null, string | null, string | null>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface TemplatesTable {
  service_id: string;
  type_key: string;
  channel: string;
  locale: string;
  version: number;
  content: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface HeraldSecretsTable {
  name: string;
  value: string;
  created_at: Generated<Date>;
}

export interface DeliveryAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempt: number;
  provider: string | null;
  started_at: Timestamp;
  duration_ms: number;
  outcome: string;
  error_code: string | null;
  error_message: string | null;
  provider_message_id: string | null;
}

export interface CapturedMessagesTable {
  id: string;
  service_id: string;
  delivery_id: string;
  channel: string;
  to: string;
  content: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface ProviderStatusTable {
  provider: string;
  owner: string;
  channel: string;
  state: string;
  opened_at: Timestamp | null;
  succeeded: number;
  failed: number;
  updated_at: Generated<Date>;
}

export interface WorkerOwnersTable {
  owner: string;
  started_at: Generated<Date>;
}

export interface DB {
  services: ServicesTable;
  notification_types: NotificationTypesTable;
  api_keys: ApiKeysTable;
  recipients: RecipientsTable;
  notifications: NotificationsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  captured_messages: CapturedMessagesTable;
  devices: DevicesTable;
  templates: TemplatesTable;
  herald_secrets: HeraldSecretsTable;
  provider_status: ProviderStatusTable;
  worker_owners: WorkerOwnersTable;
}

export type Db = Kysely<DB>;

/** jsonb values go in as text: `pg` would turn a JS array into a Postgres array otherwise. */
export const json = (value: unknown): string => JSON.stringify(value);
