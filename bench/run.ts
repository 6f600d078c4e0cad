/** `npm run bench -- <name>`: runs bench/<name>.ts, which prints its figures and ends with one JSON line. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(`Usage: npm run bench -- <name>\nBenchmarks: ${available.join(', ')}\n`);
  process.exit(1);
}
await import(`./${name}.ts`);
