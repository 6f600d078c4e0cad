/**
 * A real SMTP server (the `smtp-server` package) on a local port, collecting parsed messages.
 * `mode` decides how it answers DATA: accept, refuse with a code, or hold until released.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import PostalMime, { type Email } from 'postal-mime';

export type ParsedMail = Email;

async function parse(stream: SMTPServerDataStream): Promise<Email> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return PostalMime.parse(Buffer.concat(chunks));
}

/** The local part of an address the server refuses at RCPT TO (550 5.1.1). */
export const NO_SUCH_USER = 'no-such-user';

export type SmtpMode =
  | { kind: 'accept' }
  | { kind: 'refuse'; code: number; message?: string }
  | { kind: 'hold' }
  /**
   * Refuses a random share of messages (`failRate`, 0..1) with a transient 451 and accepts the rest,
   * each answer after a random pause of up to `delayMs`.
   */
  | { kind: 'flaky'; failRate: number; delayMs?: number };

export interface TestSmtp {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** When each of `messages` arrived (ms since the epoch), in the same order. */
  arrivals: number[];
  /** Messages for which DATA has arrived but no answer was given yet (mode `hold`). */
  held: number;
  /** Mail transactions begun (MAIL FROM), whatever became of them. */
  transactions: number;
  mode: SmtpMode;
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export async function startSmtp(initial: SmtpMode = { kind: 'accept' }): Promise<TestSmtp> {
  const state: TestSmtp = {
    url: '',
    port: 0,
    messages: [],
    arrivals: [],
    held: 0,
    transactions: 0,
    mode: initial,
    waitFor: async () => [],
    close: async () => undefined,
  };
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      state.transactions += 1;
      callback();
    },
    // A mailbox that does not exist, refused at RCPT as a real server does (5.1.1), whatever the mode.
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith(`${NO_SUCH_USER}@`)) {
        callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, _session, callback) {
      parse(stream).then(
        async (mail) => {
          const pause = state.mode.kind === 'flaky' ? (state.mode.delayMs ?? 0) : 0;
          if (pause) await new Promise((r) => setTimeout(r, Math.random() * pause));
          const mode = state.mode;
          const refuse =
            mode.kind === 'refuse'
              ? mode
              : mode.kind === 'flaky' && Math.random() < mode.failRate
                ? { code: 451, message: 'try again later' }
                : undefined;
          if (refuse) {
            const err = Object.assign(new Error(refuse.message ?? `refused with ${refuse.code}`), {
              responseCode: refuse.code,
            });
            callback(err);
            return;
          }
          if (mode.kind === 'hold') {
            state.held += 1;
            return; // never answer: the client waits until its socket times out or it dies
          }
          state.messages.push(mail);
          state.arrivals.push(Date.now());
          callback();
          for (const w of waiters.splice(0)) w();
        },
        (err: Error) => callback(err),
      );
    },
  });
  // A client killed mid-session (tests do this on purpose) resets its socket; that is no server fault.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET') throw err;
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  state.port = port;
  state.url = `smtp://127.0.0.1:${port}?ignoreTLS=true`;
  state.waitFor = async (count, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (state.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} messages, got ${state.messages.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return state.messages;
  };
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
