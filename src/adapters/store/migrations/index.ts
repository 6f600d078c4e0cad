import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-init.ts';
import * as m0002 from './0002-engine.ts';
import * as m0003 from './0003-preferences.ts';
import * as m0004 from './0004-providers.ts';
import * as m0005 from './0005-inbox.ts';
import * as m0006 from './0006-metrics.ts';
import * as m0007 from './0007-fanout.ts';
import * as m0008 from './0008-operate.ts';
import * as m0009 from './0009-retention.ts';
import * as m0010 from './0010-write-path.ts';
import * as m0012 from './0012-worker-owners.ts';
import * as m0014 from './0014-audience-staging.ts';
import * as m0015 from './0015-tenant-edges.ts';
import * as m0018 from './0018-events.ts';
import * as m0024 from './0024-lean-status-trigger.ts';
import * as m0025 from './0025-attempts-without-fk.ts';
import * as m0021 from './0021-workflows.ts';
import * as m0027 from './0027-fair-webhooks.ts';
import * as m0019 from './0019-event-sources.ts';
import * as m0029 from './0029-status-publishers.ts';
import * as m0030 from './0030-workflow-upkeep.ts';
import * as m0032 from './0032-deliveries-without-notification-fk.ts';
import * as m0034 from './0034-plan-claim-order.ts';
import * as m0036 from './0036-notifications-without-service-fk.ts';
import * as m0037 from './0037-inlined-claim-key.ts';
import * as m0038 from './0038-events-without-service-fk.ts';

/** Migrations in order. Add new ones at the end; never edit one that has shipped. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-init': m0001,
  '0002-engine': m0002,
  '0003-preferences': m0003,
  '0004-providers': m0004,
  '0005-inbox': m0005,
  '0006-metrics': m0006,
  '0007-fanout': m0007,
  '0008-operate': m0008,
  '0009-retention': m0009,
  '0010-write-path': m0010,
  '0012-worker-owners': m0012,
  '0014-audience-staging': m0014,
  '0015-tenant-edges': m0015,
  '0018-events': m0018,
  '0024-lean-status-trigger': m0024,
  '0025-attempts-without-fk': m0025,
  '0021-workflows': m0021,
  '0027-fair-webhooks': m0027,
  '0019-event-sources': m0019,
  '0029-status-publishers': m0029,
  '0030-workflow-upkeep': m0030,
  '0032-deliveries-without-notification-fk': m0032,
  '0034-plan-claim-order': m0034,
  '0036-notifications-without-service-fk': m0036,
  '0037-inlined-claim-key': m0037,
  '0038-events-without-service-fk': m0038,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

/** Every migration this build knows, by name; the schema is current when all are applied. */
export const ALL_MIGRATIONS = Object.keys(MIGRATIONS).sort();
