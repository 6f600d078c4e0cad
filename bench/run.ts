/** `npm run bench -- <name>` runs bench/<name>.ts. */
const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: npm run bench -- <name>   (a file in bench/, e.g. fanout)');
  process.exit(2);
}
await import(`./${name}.ts`);
