/**
 * The layers of src/, checked by `npm run lint` (and so by CI):
 *
 *   domain    pure rules and types: imports only domain
 *   ports     the interfaces adapters implement: domain and ports
 *   app       use cases: domain, ports and app; a settings type from a config module at most
 *   http, web the API and its pages: anything but adapters and the wiring
 *   adapters  I/O behind the ports: never app, http, web or cli
 *   cli       the command line: the wiring and config, never an adapter
 *
 * The wiring (main.ts, *-wiring.ts at the top of src/) picks adapters and may import anything; only
 * the command line imports it. Packages from node_modules are not restricted here.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other cannot be understood, tested or moved one at a time.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-imports-domain',
      severity: 'error',
      comment: 'The domain is pure: it knows no port, use case, adapter or framework module of Herald.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'ports-import-domain',
      severity: 'error',
      comment: 'A port speaks in domain types only, so an adapter never depends on a use case.',
      from: { path: '^src/ports/' },
      to: { path: '^src/', pathNot: '^src/(domain|ports)/' },
    },
    {
      name: 'app-imports-domain-and-ports',
      severity: 'error',
      comment: 'Use cases reach I/O through ports only; adapters are chosen by the wiring.',
      from: { path: '^src/app/' },
      to: { path: '^src/', pathNot: ['^src/(domain|ports|app)/', '^src/config[a-z-]*\\.ts$'] },
    },
    {
      name: 'app-reads-config-types-only',
      severity: 'error',
      comment:
        'A use case may name the settings it takes (a type), but never load or check config: that is the wiring.',
      from: { path: '^src/app/' },
      to: { path: '^src/config[a-z-]*\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'http-not-to-adapters',
      severity: 'error',
      comment:
        'Routes get their stores and services as ports from the wiring; receipt parsers reach the ' +
        'receipt route as ReceiptEndpoints built from each provider module.',
      from: { path: '^src/(http|web)/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'adapters-not-to-use-cases-or-edges',
      severity: 'error',
      comment: 'An adapter implements a port; it never calls back into use cases, routes or the CLI.',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(app|http|web|cli)/' },
    },
    {
      name: 'cli-not-to-adapters',
      severity: 'error',
      comment: 'The command line starts what the wiring built; adapters are the wiring’s choice.',
      from: { path: '^src/cli/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'only-cli-imports-wiring',
      severity: 'error',
      comment: 'The wiring is the top of the graph: importing it from a layer would import every adapter.',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/main\\.ts$', '^src/[a-z-]+-wiring\\.ts$'] },
      to: { path: ['^src/main\\.ts$', '^src/[a-z-]+-wiring\\.ts$'] },
    },
  ],
  options: {
    // Type-only imports count: a port that names an app type depends on it all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/web/static/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
