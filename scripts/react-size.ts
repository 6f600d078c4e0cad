/**
 * The size of @herald/react as an app would ship it: bundled and minified by esbuild with React
 * left out (the app has it already), then gzipped. `npm run sdk:size` prints one JSON line.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REACT_BUDGET_BYTES = 15 * 1024;

export async function reactBundleSize(): Promise<{ minified: number; gzipped: number }> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL('../packages/react/src/index.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external: ['react', 'react-dom', 'react/jsx-runtime'],
  });
  const code = out.outputFiles[0]!.contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

if (import.meta.main) {
  const size = await reactBundleSize();
  console.log(JSON.stringify({ package: '@herald/react', ...size, budget: REACT_BUDGET_BYTES }));
}
