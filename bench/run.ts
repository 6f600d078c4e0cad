/** `npm run bench -- <name>` runs bench/<name>.ts; each benchmark ends with one JSON line of figures. */
import { readdirSync } from 'node:fs';

const name = process.argv[2];
const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  process.stderr.write(`Usage: npm run bench -- <name>\nAvailable: ${available.join(', ')}\n`);
  process.exit(1);
}
await import(`./${name}.ts`);
