// Import rules of the house style (docs/architecture.md), checked in CI by `npm run depcheck`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle couples two modules so that neither can change alone (a cycle made only of type imports is erased at run time and allowed).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'platform-imports-no-domain',
      severity: 'error',
      comment: 'platform/ is below every domain and imports none.',
      from: { path: '^src/platform/' },
      to: { path: '^src/(?!platform/)[^/]+/' },
    },
    {
      name: 'domain-through-index',
      severity: 'error',
      comment: "Another domain's files are reached only through its index.ts.",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/platform/'] },
    },
    {
      name: 'src-not-importing-tests-or-tools',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|tools)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
