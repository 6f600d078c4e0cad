/** The inbox's tables as Kysely sees them (migration 0005), kept apart from db.ts so it stays shared. */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
/** bigint: `pg` returns it as a string, PGlite as a number or bigint; read it through Number(). */
type BigIntColumn = ColumnType<string | number | bigint, number, number>;

export interface InboxSecretsTable {
  service_id: string;
  secret: string;
  created_at: ColumnType<Date, Date | undefined, Date>;
  rotated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface InboxCursorsTable {
  service_id: string;
  recipient_id: string;
  last_seq: BigIntColumn;
}

export interface InboxItemsTable {
  id: string;
  service_id: string;
  recipient_id: string;
  notification_id: string | null;
  delivery_id: string | null;
  type: string;
  title: string;
  body: string;
  action_url: string | null;
  data: Json<Record<string, unknown>>;
  collapse_key: string | null;
  created_at: Timestamp;
  seen_at: Timestamp | null;
  read_at: Timestamp | null;
  archived_at: Timestamp | null;
  expires_at: Timestamp | null;
}

export interface InboxEventsTable {
  service_id: string;
  recipient_id: string;
  seq: BigIntColumn;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface InboxTicketsTable {
  hash: string;
  service_id: string;
  recipient_id: string;
  expires_at: Timestamp;
}

// A type alias, not an interface: withTables<T>() needs T to have an implicit index signature.
export type InboxTables = {
  inbox_secrets: InboxSecretsTable;
  inbox_cursors: InboxCursorsTable;
  inbox_items: InboxItemsTable;
  inbox_events: InboxEventsTable;
  inbox_tickets: InboxTicketsTable;
};
