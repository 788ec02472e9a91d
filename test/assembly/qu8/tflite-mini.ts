// A minimal TFLite FlatBuffer reader for the int8 kernel oracle test only (tensors, quantization, ops and
// their builtin options by field index). The engine's importer lives in src/formats/tflite.
import { readFileSync } from 'node:fs';

export interface MiniTensor { shape: number[]; type: string; buffer: Uint8Array | null; scale: number[]; zp: number[] }
export interface MiniTable {
  i8(i: number, d?: number): number; i32(i: number, d?: number): number; f32(i: number, d?: number): number; bool(i: number): boolean;
}
export interface MiniOp { code: number; inputs: number[]; outputs: number[]; opt: MiniTable }
export interface MiniModel { tensors: MiniTensor[]; ops: MiniOp[]; inputs: number[]; outputs: number[] }

const TYPES = ['FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8'];

export function loadTflite(file: string): MiniModel {
  const buf = readFileSync(file);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u32 = (p: number) => dv.getUint32(p, true);
  const table = (p: number) => {
    const vt = p - dv.getInt32(p, true);
    const vlen = dv.getUint16(vt, true);
    const fo = (i: number) => (4 + 2 * i < vlen ? dv.getUint16(vt + 4 + 2 * i, true) : 0);
    const vec = (i: number) => { if (!fo(i)) return null; const q = p + fo(i); const v = q + u32(q); return { n: u32(v), at: v + 4 }; };
    return {
      i8: (i: number, d = 0) => (fo(i) ? dv.getInt8(p + fo(i)) : d),
      i32: (i: number, d = 0) => (fo(i) ? dv.getInt32(p + fo(i), true) : d),
      u32: (i: number, d = 0) => (fo(i) ? u32(p + fo(i)) : d),
      f32: (i: number, d = 0) => (fo(i) ? dv.getFloat32(p + fo(i), true) : d),
      bool: (i: number) => (fo(i) ? dv.getUint8(p + fo(i)) !== 0 : false),
      table: (i: number) => { if (!fo(i)) return null; const q = p + fo(i); return table(q + u32(q)); },
      vec,
      str: (i: number) => { const v = vec(i); return v ? buf.toString('utf8', v.at, v.at + v.n) : null; },
    };
  };
  type T = ReturnType<typeof table>;
  const tables = (v: { n: number; at: number } | null): T[] => (v ? Array.from({ length: v.n }, (_, k) => { const q = v.at + 4 * k; return table(q + u32(q)); }) : []);
  const ints = (v: { n: number; at: number } | null) => (v ? Array.from({ length: v.n }, (_, k) => dv.getInt32(v.at + 4 * k, true)) : []);
  const root = table(u32(0));
  const codes = tables(root.vec(1)).map((t) => Math.max(t.i8(0), t.i32(3)));
  const buffers = tables(root.vec(4)).map((t) => { const v = t.vec(0); return v ? new Uint8Array(buf.buffer, buf.byteOffset + v.at, v.n) : null; });
  const sg = tables(root.vec(2))[0];
  const tensors = tables(sg.vec(0)).map((t) => {
    const q = t.table(4);
    const sv = q?.vec(2) ?? null;
    const zv = q?.vec(3) ?? null;
    return {
      shape: ints(t.vec(0)), type: TYPES[t.i8(1)], buffer: buffers[t.u32(2)],
      scale: sv ? Array.from({ length: sv.n }, (_, k) => dv.getFloat32(sv.at + 4 * k, true)) : [],
      zp: zv ? Array.from({ length: zv.n }, (_, k) => Number(dv.getBigInt64(zv.at + 8 * k, true))) : [],
    };
  });
  const ops = tables(sg.vec(3)).map((t) => ({ code: codes[t.u32(0)], inputs: ints(t.vec(1)), outputs: ints(t.vec(2)), opt: (t.table(4) ?? table(u32(0))) as MiniTable }));
  return { tensors, ops, inputs: ints(sg.vec(1)), outputs: ints(sg.vec(2)) };
}
