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
await import('../src/cli/herald.ts');
