// Architecture rules for src/ (issue 13), checked by `npm test` (test/architecture.test.ts) with
// dependency-cruiser. The layers: importers (formats/) → graph IR (graph/) → ops (ops/, one module per IR op)
// → planner (plan/) → executor (exec/) → runtime and public API (model.ts, load.ts, api.ts, workers/, pool.ts).
// Rules are on DIRECT imports: an op module holds both an op's shape rule (which graph/shapes.ts asks for) and
// its lowering (which needs plan/ packers), so graph/ reaches plan/ only through ops/, by design.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles anywhere in src/ (type-only imports included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'graph-is-the-bottom',
      comment: 'graph/ imports no planner, executor, format or API module.',
      severity: 'error',
      from: { path: '^src/graph/' },
      to: { path: '^src/(plan|exec|formats|workers|cli|quantize|teach)/|^src/(api|load|model|model-api|pool)\\.ts$' },
    },
    {
      name: 'plan-below-exec',
      comment: 'plan/ imports no executor module.',
      severity: 'error',
      from: { path: '^src/plan/' },
      to: { path: '^src/exec/' },
    },
    {
      name: 'exec-below-api',
      comment: 'exec/ imports no format or API module.',
      severity: 'error',
      from: { path: '^src/exec/' },
      to: { path: '^src/(formats|workers|cli|teach)/|^src/(api|load|model|pool)\\.ts$' },
    },
    {
      name: 'formats-below-plan',
      comment: 'formats/ import no planner or executor module.',
      severity: 'error',
      from: { path: '^src/formats/' },
      to: { path: '^src/(plan|exec)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
