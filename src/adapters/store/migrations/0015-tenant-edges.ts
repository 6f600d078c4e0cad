import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  // The hosts a service's click redirects may lead to without a warning page (see domain/link-hosts.ts).
  `alter table services add column link_hosts text[] not null default '{}'`,
  // Status webhook ids were 'evt_' and the status log's counter, one sequence for every service: a
  // receiver could read other services' volume off the gaps. Each message now gets a random id as it
  // is written, whatever wrote it; the trigger leaves alone an id that is not the counter's.
  `create function herald_webhook_event_id() returns trigger language plpgsql as $$
   begin
     if new.event_id ~ '^evt_[0-9]+$' then
       new.event_id := 'evt_' || replace(gen_random_uuid()::text, '-', '');
     end if;
     return new;
   end $$`,
  `create trigger webhook_messages_event_id before insert on webhook_messages
     for each row execute function herald_webhook_event_id()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
