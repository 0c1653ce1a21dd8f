/**
 * camsync's dependency rule (docs/architecture.md). Checked by `npm run deps`, part of `npm test`.
 *
 * dependency-cruiser 17 parses TypeScript through the `typescript` JS API up to 6.x; this repo
 * compiles with TypeScript 7 (native, no JS API). So the rule runs over what `tsc` emits in `dist/`:
 * the same module graph, one file per source file. Type-only imports are erased there; they are
 * held to the same rule by Biome's `noRestrictedImports` (biome.json), which reads the sources.
 */
const DOMAIN = "^dist/(core|control|config|storage|inputs|vehicle|recorder|bodycam|evidence|statuspage)/";
module.exports = {
  forbidden: [
    {
      name: "domain-imports-shell",
      comment:
        "Domain folders never import the shells (cli/, daemon/, demo/) or the station: the shells wire the domain, not the reverse.",
      severity: "error",
      from: { path: DOMAIN },
      to: { path: "^dist/(cli|daemon|demo|station)/" },
    },
    {
      name: "station-imports-car-shell",
      comment:
        "The station reuses the domain (evidence, storage, core…) but never the car's daemon, CLI or demo.",
      severity: "error",
      from: { path: "^dist/station/" },
      to: { path: "^dist/(cli|daemon|demo)/" },
    },
    {
      name: "no-circular",
      comment: "No import cycles, static or dynamic.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-test-code-in-dist",
      comment: "Tests and fakes live beside the sources or in test/, never in what ships.",
      severity: "error",
      from: { path: "^dist/" },
      to: { path: "(\\.test\\.js$|^test/)" },
    },
    {
      name: "not-to-unresolvable",
      comment: "Every import resolves.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.js$|^dist/app/" },
    moduleSystems: ["es6"],
    tsPreCompilationDeps: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
