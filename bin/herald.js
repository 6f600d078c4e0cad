#!/usr/bin/env node
// Herald runs its TypeScript sources directly: Node 24 strips the types, so there is no build step.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `herald: Node ${process.versions.node} is too old; Herald needs Node 24 or newer.\n` +
      `Run it through npm (npm start / npx herald), which uses the Node 24 that npm install put in node_modules.\n`,
  );
  process.exit(1);
}
// Starting is a one-off burst of allocations that must not size V8's young generation for the life
// of the process: it keeps its starting size until Herald has started (src/cli/young-generation.ts
// lets it grow again then). Set before the compile cache opens, since V8 keys cached code by its
// flags: these processes get a cache of their own instead of rejecting and rewriting the entries of
// Node processes with default flags.
if (![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /semi.space.growth/.test(a))) {
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--semi-space-growth-factor=1');
}
// Compiled code, and the type-stripped sources, are cached on disk (in the OS temp folder unless
// NODE_COMPILE_CACHE says where): later starts skip the TypeScript stripper, whose bundled compiler
// would otherwise stay in memory for the life of the process (about 20 MB), and start sooner.
const { default: module } = await import('node:module');
module.enableCompileCache?.();
await import('../src/cli/herald.ts');
