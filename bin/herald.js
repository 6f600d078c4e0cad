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
// Compiled code, and the type-stripped sources, are cached on disk (in the OS temp folder unless
// NODE_COMPILE_CACHE says where): later starts skip the TypeScript stripper, whose bundled compiler
// would otherwise stay in memory for the life of the process (about 20 MB), and start sooner.
const { default: module } = await import('node:module');
module.enableCompileCache?.();
// Starting is a one-off burst of allocations that must not size V8's young generation for the life
// of the process (see young-generation.ts); the CLI lets it grow again once Herald has started.
const { holdYoungGeneration } = await import('../src/cli/young-generation.ts');
holdYoungGeneration();
await import('../src/cli/herald.ts');
