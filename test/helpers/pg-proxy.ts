/**
 * A TCP proxy in front of PostgreSQL that can do to its sessions what a network does: cut them (a
 * server restart), hold new ones before they reach the server, or go silent (a dropped NAT entry, a
 * firewall, a failover that sends no reset) — nothing passes either way and no socket is closed.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type PgProxy = Awaited<ReturnType<typeof pgProxy>>;

export async function pgProxy(target: string) {
  const t = new URL(target);
  const live = new Set<Socket>();
  /** Sessions the network went silent on: open at both ends, nothing passes, for good. */
  const silent = new Set<Socket>();
  const held: Socket[] = [];
  const waiting: ((s: Socket) => void)[] = [];
  let holding = false;
  let silencing = false;
  const pass = (client: Socket) => {
    const upstream = createConnection({ host: t.hostname, port: Number(t.port || 5432) });
    live.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  };
  /** Reads nothing more: bytes and a close from either end stay unread, so nothing is answered. */
  const silence = (s: Socket) => {
    s.unpipe();
    s.pause();
    s.removeAllListeners('close').removeAllListeners('error');
    s.on('error', () => s.destroy());
    silent.add(s);
  };
  const server: Server = createServer((client) => {
    if (silencing) return silence(client);
    if (!holding) return pass(client);
    client.pause();
    client.on('error', () => client.destroy());
    const w = waiting.shift();
    if (w) w(client);
    else held.push(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    sessions: () => live.size / 2,
    /** Holds every new connection until `release`. */
    hold() {
      holding = true;
    },
    /** Drops every session passed through, as a server restart would. */
    cut() {
      for (const s of live) s.destroy();
      live.clear();
    },
    /**
     * The network goes silent: every session passed through stops passing anything either way,
     * without a reset or a close, for good; new connections get no answer until `speak`.
     */
    silence() {
      silencing = true;
      for (const s of live) silence(s);
      live.clear();
    },
    /** New connections pass again; the sessions silenced stay dead, as after a lost NAT entry. */
    speak() {
      silencing = false;
    },
    /** The next connection held. */
    nextHeld: () =>
      new Promise<Socket>((resolve) => {
        const s = held.shift();
        if (s) resolve(s);
        else waiting.push(resolve);
      }),
    release(client: Socket) {
      holding = false;
      if (client.destroyed) return;
      pass(client);
      client.resume();
    },
    async close() {
      for (const s of [...live, ...held, ...silent]) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
