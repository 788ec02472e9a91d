// Loads the built kernel modules for tests, each over a fresh host-owned memory, plus a bump allocator that
// places buffers at non-trivial, 4-byte aligned (not always 16-byte aligned) offsets with guard bytes on both
// sides, so a kernel that writes out of bounds fails `checkGuards()`.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KERNELS, type KernelEntry, type KernelIsa, type KernelOp } from '../../src/plan/registry.js';
import { ROOT } from './shared.js';
import { mulberry32 } from './random.js';

export type ModuleName = KernelIsa;

/** KERNELS_WASM=path / KERNELS_WASM_SCALAR=path test another build of a module (as bench/kernels-q.bench.mjs does). */
export const WASM_FILES: Record<ModuleName, string> = {
  simd: process.env.KERNELS_WASM ? path.resolve(process.env.KERNELS_WASM) : path.join(ROOT, 'dist/wasm/mobilenet-simd.wasm'),
  scalar: process.env.KERNELS_WASM_SCALAR ? path.resolve(process.env.KERNELS_WASM_SCALAR) : path.join(ROOT, 'dist/wasm/mobilenet-scalar.wasm'),
};

const compiled = new Map<ModuleName, WebAssembly.Module>();

/** The compiled module; throws a message telling how to build it when dist/wasm is missing. */
export function compiledModule(which: ModuleName): WebAssembly.Module {
  let m = compiled.get(which);
  if (!m) {
    const file = WASM_FILES[which];
    if (!existsSync(file)) {
      throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run asbuild\` before the kernel tests`);
    }
    m = new WebAssembly.Module(readFileSync(file));
    compiled.set(which, m);
  }
  return m;
}

export interface KernelInstance {
  module: ModuleName;
  memory: WebAssembly.Memory;
  exports: WebAssembly.Exports;
}

/** Instantiates a built module over a fresh memory (`pages` × 64 KiB). */
export function instantiate(which: ModuleName, pages = 256): KernelInstance {
  const memory = new WebAssembly.Memory({ initial: pages });
  const abort = () => {
    throw new Error(`${which} kernel module called abort()`);
  };
  const instance = new WebAssembly.Instance(compiledModule(which), { env: { memory, abort } });
  return { module: which, memory, exports: instance.exports };
}

/** One registry kernel in one built module: describe.each rows for an op. */
export interface Variant {
  label: string;
  entry: KernelEntry;
  module: ModuleName;
}

/** Every (kernel, module) pair for `op`: SIMD kernels in the SIMD module, scalar kernels in both modules. */
export function variants(op: KernelOp): Variant[] {
  const out: Variant[] = [];
  for (const entry of KERNELS) {
    if (entry.op !== op) continue;
    // relaxed-only kernels run under Deno (test/assembly/qs8/qs8-gemm-dot.test.ts): Node 20's relaxed dot is not exact
    for (const module of entry.modules) if (module !== 'relaxed') out.push({ label: `${entry.name} @ mobilenet-${module}.wasm`, entry, module });
  }
  return out;
}

const instances = new Map<ModuleName, KernelInstance>();

/** A kernel function of a variant, from a per-test-file cached instance of its module. */
export function kernelOf<F>(v: Variant): { fn: F; memory: WebAssembly.Memory } {
  let inst = instances.get(v.module);
  if (!inst) {
    inst = instantiate(v.module);
    instances.set(v.module, inst);
  }
  const fn = inst.exports[v.entry.name];
  if (typeof fn !== 'function') throw new Error(`${v.label}: export missing (stale build? run \`npm run asbuild\`)`);
  return { fn: fn as F, memory: inst.memory };
}

const GUARD_BYTES = 64;
const GUARD_VALUE = 0xa5;
/** Bit pattern written into output buffers before a kernel runs: a NaN, so an unwritten element fails. */
const POISON_BITS = 0x7fa5a5a5;

/**
 * Bump allocator over a kernel memory. Every buffer starts at a 4-byte aligned offset chosen by a seeded
 * PRNG (so 16-byte alignment is hit only sometimes) and is surrounded by 64 guard bytes (0xA5), which also
 * serve as the ≥ 16 bytes of readable slack the SIMD kernels may load past an input's end.
 */
export class Heap {
  readonly memory: WebAssembly.Memory;
  #next: number;
  #rand: () => number;
  #guards: { at: number; bytes: number }[] = [];

  constructor(memory: WebAssembly.Memory, seed = 1) {
    this.memory = memory;
    this.#rand = mulberry32(seed);
    this.#next = 4096 + 4 * Math.floor(this.#rand() * 16);
  }

  get u8(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  /** Reserves `bytes` (rounded up to 4) with guards on both sides; returns the byte address. */
  alloc(bytes: number): number {
    const pad = 4 * Math.floor(this.#rand() * 8); // 0..28 bytes: varies the alignment mod 16
    const start = this.#next + GUARD_BYTES + pad;
    const size = Math.ceil(bytes / 4) * 4;
    const end = start + size;
    if (end + GUARD_BYTES > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((end + GUARD_BYTES - this.memory.buffer.byteLength) / 65536) + 1);
    }
    const u8 = this.u8;
    u8.fill(GUARD_VALUE, start - GUARD_BYTES, start);
    u8.fill(GUARD_VALUE, end, end + GUARD_BYTES);
    this.#guards.push({ at: start - GUARD_BYTES, bytes: GUARD_BYTES }, { at: end, bytes: GUARD_BYTES });
    this.#next = end + GUARD_BYTES;
    return start;
  }

  /** Copies `data` into a new buffer and returns its address. */
  f32(data: ArrayLike<number>): number {
    const at = this.alloc(data.length * 4);
    new Float32Array(this.memory.buffer, at, data.length).set(data);
    return at;
  }

  /** A new buffer of n floats filled with a NaN pattern, so elements a kernel fails to write are caught. */
  f32Output(n: number): number {
    const at = this.alloc(n * 4);
    new Uint32Array(this.memory.buffer, at, n).fill(POISON_BITS);
    return at;
  }

  /** Copies bytes into a new buffer. */
  bytes(data: ArrayLike<number>): number {
    const at = this.alloc(data.length);
    this.u8.set(data, at);
    return at;
  }

  /**
   * Copies bytes so that they end exactly at the end of the memory: a kernel reading even one byte past
   * them traps ("memory access out of bounds"). Use at most once per Heap.
   */
  bytesAtEnd(data: ArrayLike<number>): number {
    const at = this.memory.buffer.byteLength - data.length;
    if (at < this.#next) throw new Error('Heap.bytesAtEnd: memory too small');
    this.u8.set(data, at);
    return at;
  }

  /** Floats placed to end exactly at the end of the memory (see bytesAtEnd). */
  f32AtEnd(data: ArrayLike<number>): number {
    return this.bytesAtEnd(new Uint8Array(Float32Array.from(data).buffer));
  }

  /** Reads n floats at `at` (a copy). */
  read(at: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, n).slice();
  }

  /** Reads n raw 32-bit words at `at` (to check untouched regions bit-exactly). */
  readBits(at: number, n: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, at, n).slice();
  }

  /** Throws naming the first guard byte a kernel overwrote. */
  checkGuards(label = 'kernel'): void {
    const u8 = this.u8;
    for (const g of this.#guards) {
      for (let i = 0; i < g.bytes; i++) {
        if (u8[g.at + i] !== GUARD_VALUE) {
          throw new Error(`${label} wrote outside its buffers: guard byte at address ${g.at + i} is 0x${u8[g.at + i].toString(16)}`);
        }
      }
    }
  }
}

export const POISON = POISON_BITS;
