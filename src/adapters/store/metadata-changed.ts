/** The wake-channel message that tells every process to drop its cached API keys, types and templates. */
import { sql } from 'kysely';
import type { Db } from './db.ts';
import { WAKE_METADATA } from '../../ports/wake.ts';
import { WAKE_CHANNEL } from './connect.ts';

export const METADATA_CHANGED = WAKE_METADATA;

export async function announceMetadataChange(db: Db): Promise<void> {
  await sql`select pg_notify(${WAKE_CHANNEL}, ${METADATA_CHANGED})`.execute(db);
}
