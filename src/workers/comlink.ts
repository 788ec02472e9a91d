// Comlink, imported by file. Its package has no "exports" map, so 'comlink' alone resolves through
// "main"/"module" (UMD under Node, nothing under esbuild's neutral platform); the ESM files by path
// resolve the same everywhere, and everything here shares one copy and one transferHandlers map.
export { expose, wrap, transfer, transferHandlers, type Endpoint, type Remote } from 'comlink/dist/esm/comlink.mjs';
export { default as nodeEndpoint } from 'comlink/dist/esm/node-adapter.mjs';
