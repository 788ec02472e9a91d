// The kernel registry against the built modules: the same set of names (drift in either direction fails),
// the ABI argument counts, file names that follow the naming glossary, pure modules (no data, no globals,
// only the memory import) and selectKernels.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errors.js';
import { GEMM_MR, KERNELS, kernelFor, selectKernels, type KernelIsa, type KernelOp } from '../../src/plan/registry.js';
import { ROOT } from '../helpers/shared.js';
import { WASM_FILES, compiledModule, instantiate } from '../helpers/wasm.js';

const MODULES: KernelIsa[] = ['simd', 'scalar'];
const OPS: KernelOp[] = ['gemm', 'dwconv', 'conv3x3', 'gavgpool', 'vadd', 'softmax', 'preprocess'];

/** Section ids present in a wasm binary (1 type, 2 import, 3 function, 6 global, 7 export, 8 start, 10 code, 11 data…). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++];
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      size |= (b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    ids.push(id);
    p += size;
  }
  return ids;
}

describe('kernel registry', () => {
  it('names are unique and follow <dtype>_<op>_<tile>_<activation>_<isa>', () => {
    const names = KERNELS.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
    for (const k of KERNELS) {
      expect(k.name.startsWith(`${k.dtype}_`), k.name).toBe(true);
      expect(k.name.endsWith(`_${k.isa}`), k.name).toBe(true);
      if (k.tile) expect(k.name, k.name).toContain(`_${k.tile}_`);
      if (k.activation) expect(k.name, k.name).toContain(`_${k.activation}_`);
      expect(k.modules, k.name).toEqual(k.isa === 'relaxed' ? ['relaxed'] : k.isa === 'simd' ? ['simd'] : ['simd', 'scalar']);
    }
    expect(KERNELS.find((k) => k.op === 'gemm')!.tile).toBe(`${GEMM_MR}x8`);
  });

  it.each(KERNELS.map((k) => [k.name, k] as const))('%s lives in assembly/<dtype>/<name-with-hyphens>.ts', (name, k) => {
    const file = path.join(ROOT, 'assembly', k.dtype, `${name.replaceAll('_', '-')}.ts`);
    expect(existsSync(file), `${path.relative(ROOT, file)} is missing`).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(`export function ${name}(`);
  });

  it('every op has a variant for each isa, falling back to scalar (softmax)', () => {
    for (const op of OPS) {
      for (const isa of MODULES) {
        const k = kernelFor(op, isa);
        expect(k.op).toBe(op);
        expect(k.isa === isa || k.isa === 'scalar').toBe(true);
      }
    }
    expect(kernelFor('softmax', 'simd').name).toBe('f32_softmax_scalar');
  });
});

describe.each(MODULES)('mobilenet-%s.wasm', (module) => {
  it('exports exactly the registry kernels of this module (plus the memory)', () => {
    const exported = WebAssembly.Module.exports(compiledModule(module));
    const functions = exported.filter((e) => e.kind === 'function').map((e) => e.name).sort();
    const others = exported.filter((e) => e.kind !== 'function').map((e) => `${e.kind} ${e.name}`);
    const expected = KERNELS.filter((k) => (k.modules as readonly string[]).includes(module)).map((k) => k.name).sort();
    expect(functions).toEqual(expected);
    expect(others).toEqual(['memory memory']);
  });

  it.each(KERNELS.filter((k) => (k.modules as readonly string[]).includes(module)).map((k) => [k.name, k.arity] as const))(
    '%s takes %i arguments',
    (name, arity) => {
      const fn = instantiate(module, 1).exports[name] as (...a: number[]) => void;
      expect(fn.length).toBe(arity);
    },
  );

  it('is pure: imports only env.memory; no data segments, globals or start function', () => {
    const imports = WebAssembly.Module.imports(compiledModule(module));
    expect(imports).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const ids = sectionIds(new Uint8Array(readFileSync(WASM_FILES[module])));
    expect(ids.filter((id) => id === 6 || id === 8 || id === 11), 'global (6), start (8) or data (11) sections').toEqual([]);
  });

  it.each(MODULES.filter((isa) => module === 'simd' || isa === 'scalar'))('selectKernels(exports, %s)', (isa) => {
    const { exports } = instantiate(module, 1);
    const set = selectKernels(exports, isa);
    expect(set.isa).toBe(isa);
    for (const op of OPS) expect(set[op], op).toBe(exports[kernelFor(op, isa).name]);
  });
});

describe('selectKernels errors', () => {
  it('throws KernelError naming a missing export and the fix', () => {
    const { exports } = instantiate('scalar', 1);
    expect(() => selectKernels(exports, 'simd')).toThrow(KernelError);
    expect(() => selectKernels(exports, 'simd')).toThrow(/does not export 'f32_gemm_4x8_minmax_simd'.*npm run asbuild/);
  });

  it('throws KernelError on an arity mismatch', () => {
    const { exports } = instantiate('scalar', 1);
    const fake = { ...exports, f32_vadd_minmax_scalar: (_a: number) => undefined };
    expect(() => selectKernels(fake, 'scalar')).toThrow(/f32_vadd_minmax_scalar' takes 1 arguments but the registry ABI has 6/);
  });
});
