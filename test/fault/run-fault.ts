/** `npm run fault [-- <notifications> <per-second>]`: the fault scenario at full size, with a report. */
import { runFaultScenario } from './fault-scenario.ts';

const notifications = Number(process.argv[2] ?? 3000);
const ratePerSecond = Number(process.argv[3] ?? 100);
const report = await runFaultScenario({
  notifications,
  ratePerSecond,
  log: (line) => process.stderr.write(`[fault] ${line}\n`),
});
const ok =
  report.accepted === notifications &&
  report.stored === report.accepted &&
  report.notFinal === 0 &&
  report.lost === 0 &&
  report.phantom === 0 &&
  report.goneFailedOnce === report.gone &&
  report.retryAfterViolations === 0 &&
  report.duplicates.extra <= report.leaseExpiredAttempts;
process.stdout.write(`${JSON.stringify({ ok, ...report })}\n`);
process.exitCode = ok ? 0 : 1;
