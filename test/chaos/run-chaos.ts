/**
 * `npm run chaos [-- --minutes 10 --rate 8 --kill-min 5 --kill-max 15 --redis-outage 30 --pg-outage 5
 * --fail-rate 0.05 --provider-delay 300]`: the chaos soak (see chaos-scenario.ts). Not part of CI: it runs for minutes and
 * needs initdb and redis-server. Progress goes to stderr; the last line is the report as JSON.
 */
import { parseArgs } from 'node:util';
import { clusterProblem } from '../helpers/pg-cluster.ts';
import { redisServerProblem } from '../helpers/redis-server.ts';
import { runChaos } from './chaos-scenario.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '8' },
    'kill-min': { type: 'string', default: '5' },
    'kill-max': { type: 'string', default: '15' },
    'redis-outage': { type: 'string', default: '30' },
    'pg-outage': { type: 'string', default: '5' },
    'fail-rate': { type: 'string', default: '0.05' },
    'provider-delay': { type: 'string', default: '300' },
    'settle-timeout': { type: 'string', default: '300' },
  },
});
const problem = clusterProblem() ?? redisServerProblem();
if (problem) throw new Error(`chaos needs a private PostgreSQL and Redis: ${problem}`);

const started = Date.now();
const report = await runChaos({
  durationMs: Number(values.minutes) * 60_000,
  ratePerSecond: Number(values.rate),
  killEveryMs: [Number(values['kill-min']) * 1000, Number(values['kill-max']) * 1000],
  redisOutageMs: Number(values['redis-outage']) * 1000,
  pgOutageMs: Number(values['pg-outage']) * 1000,
  failRate: Number(values['fail-rate']),
  providerDelayMs: Number(values['provider-delay']),
  settleTimeoutMs: Number(values['settle-timeout']) * 1000,
  log: (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`),
});
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exitCode = report.lost === 0 && report.duplicates.unexplained === 0 ? 0 : 1;
