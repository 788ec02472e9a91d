// The qu8 kernels on the real uint8 models against the TensorFlow Lite oracle outputs in ../shared/data:
// a direct op-by-op run (no planner) with this package's packers and requantization parameters.
// - *_fp32_* + vadd_mulshift (XNNPACK's arithmetic, which the oracle's runtime used through TFLite's
//   default XNNPACK delegate): MobileNetV2 output bytes identical for all four images.
// - *_gemmlowp_* (TFLite's builtin reference arithmetic): same top-1, bytes within 8 (at most 4 of 1001 differ:
//   one logit quantum ≈ 20 softmax quanta at the top class); the oracle did not use this arithmetic.
// - DeepLabV3: ≥ 99.5 % of the class map identical (RESIZE_BILINEAR and QUANTIZE still use TFLite's builtin
//   arithmetic here, XNNPACK's in the oracle).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { packQConv3x3, packQDwconv3x3, packQGemm, qconv3x3ScratchBytes, qgemmWideBytes } from '../../../src/plan/pack-q.js';
import {
  activationRange, addParams, addParamsMulShift, concatParams, convRequant, convScalesFp32, packAddParams,
  packMulShiftAddParams, poolParams, requantizeParams, softmaxTable,
} from '../../../src/plan/requant.js';
import type { Activation, Quant } from '../../../src/graph/ir.js';
import { describeShared, sharedPath } from '../../helpers/shared.js';
import { instantiate, type ModuleName } from '../../helpers/wasm.js';
import { loadTflite, type MiniTensor } from './tflite-mini.js';

type Scheme = 'fp32' | 'gemmlowp';

function runModel(file: string, input: Uint8Array, module: ModuleName, scheme: Scheme): Uint8Array {
  const { memory, exports: X } = instantiate(module, 2048);
  const K = (base: string) => (X[`${base}_${module}`] ?? X[`${base}_scalar`]) as (...a: number[]) => void;
  let top = 65536;
  const alloc = (n: number) => { const a = top; top += Math.ceil((n + 64) / 64) * 64; return a; };
  const put = (bytes: Uint8Array) => { const a = alloc(bytes.length); new Uint8Array(memory.buffer).set(bytes, a); return a; };
  const putI32 = (a: Int32Array | Float32Array) => put(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const m = loadTflite(file);
  const T = m.tensors;
  const addr = new Map<number, number>([[m.inputs[0], put(input)]]);
  const q = (t: MiniTensor): Quant => ({ scale: t.scale[0], zeroPoint: t.zp[0] });
  const ACT: Record<number, Activation> = { 0: 'none', 1: 'relu', 3: 'relu6' };
  const size = (t: MiniTensor) => t.shape.reduce((a, b) => a * b, 1);
  const samePad = (i: number, o: number, k: number, s: number, d: number) => Math.floor(Math.max((o - 1) * s + (k - 1) * d + 1 - i, 0) / 2);
  const fam = scheme;
  for (const op of m.ops) {
    const ti = op.inputs.map((i) => T[i]);
    const to = T[op.outputs[0]];
    const o = op.opt;
    const out = op.code === 22 ? addr.get(op.inputs[0])! : alloc(size(to));
    addr.set(op.outputs[0], out);
    const inA = addr.get(op.inputs[0])!;
    if (op.code === 3 || op.code === 4) {
      const dw = op.code === 4;
      const [, H, W, C] = ti[0].shape;
      const [, OH, OW, OC] = to.shape;
      const wt = ti[1];
      const kh = wt.shape[1];
      const stride = o.i32(1);
      const dil = dw ? o.i32(5, 1) : o.i32(4, 1);
      const wq = wt.buffer!;
      const bb = ti[2].buffer!;
      const bias = new Int32Array(bb.slice().buffer);
      const rq = fam === 'fp32' ? convScalesFp32(ti[0].scale[0], wt.scale, to.scale[0], OC) : convRequant(ti[0].scale[0], wt.scale, to.scale[0], OC, 'uint8');
      const [qmin, qmax] = activationRange(ACT[dw ? o.i8(4) : o.i8(3)], q(to), 'uint8');
      const aZp = ti[0].zp[0];
      const padT = o.i8(0) === 0 ? samePad(H, OH, kh, stride, dil) : 0;
      const padL = o.i8(0) === 0 ? samePad(W, OW, kh, stride, dil) : 0;
      if (dw) {
        const packed = put(packQDwconv3x3({ data: wq, zeroPoint: wt.zp, bias }, C, aZp, rq, 'qu8'));
        const zrow = put(new Uint8Array(W * C + 16).fill(aZp));
        const f = K(`qu8_dwconv_3x3_minmax_${fam}`);
        for (let oy = 0; oy < OH; oy++) {
          const r = [0, 1, 2].map((ky) => { const iy = oy * stride - padT + ky * dil; return iy >= 0 && iy < H ? inA + iy * W * C : zrow; });
          f(C, W, r[0], r[1], r[2], stride, dil, padL, packed, out + oy * OW * C, OW, aZp, to.zp[0], qmin, qmax);
        }
      } else if (kh === 1) {
        const wk = new Uint8Array(C * OC); // OHWI → [C][OC]
        for (let oc = 0; oc < OC; oc++) for (let c = 0; c < C; c++) wk[c * OC + oc] = wq[oc * C + c];
        const packed = put(packQGemm({ data: wk, zeroPoint: wt.zp, bias }, C, OC, aZp, rq, 'qu8'));
        K(`qu8_gemm_4x8c2_minmax_${fam}`)(H * W, OC, C, inA, C, packed, out, OC, to.zp[0], qmin, qmax, alloc(qgemmWideBytes(C)));
      } else {
        const wk = new Uint8Array(9 * C * OC);
        for (let oc = 0; oc < OC; oc++) for (let t = 0; t < 9; t++) for (let c = 0; c < C; c++) wk[(t * C + c) * OC + oc] = wq[(oc * 9 + t) * C + c];
        const packed = put(packQConv3x3({ data: wk, zeroPoint: wt.zp, bias }, C, OC, aZp, rq, 'qu8'));
        K(`qu8_conv_3x3_hwc_minmax_${fam}`)(H, W, C, inA, stride, padT, padL, packed, OC, out, OW, 0, OH, aZp, to.zp[0], qmin, qmax, alloc(qconv3x3ScratchBytes(C, OW)));
      }
    } else if (op.code === 0) {
      const act = ACT[o.i8(0)];
      const p = fam === 'fp32' ? packMulShiftAddParams(addParamsMulShift(q(ti[0]), q(ti[1]), q(to), act, 'uint8')) : packAddParams(addParams(q(ti[0]), q(ti[1]), q(to), act, 'uint8'));
      K(fam === 'fp32' ? 'qu8_vadd_minmax_mulshift' : 'qu8_vadd_minmax_gemmlowp')(size(to), inA, addr.get(op.inputs[1])!, out, putI32(p));
    } else if (op.code === 1) {
      const [, H, W, C] = ti[0].shape;
      K('qu8_gavgpool_minmax')(H * W, C, inA, out, putI32(poolParams('avgpool', H * W, q(ti[0]), q(to), 'uint8', ACT[o.i8(5)])));
    } else if (op.code === 25) {
      K('qu8_softmax_lut')(size(to), inA, out, putI32(softmaxTable(ti[0].scale[0], o.f32(0))), to.scale[0], to.zp[0]);
    } else if (op.code === 114) {
      const p = requantizeParams(q(ti[0]), q(to), 'uint8');
      K('qu8_requantize_gemmlowp')(size(to), inA, out, p.inZeroPoint, p.outZeroPoint, p.mult, p.shift, p.qmin, p.qmax);
    } else if (op.code === 23) {
      const [, H, W, C] = ti[0].shape;
      const [, OH, OW] = to.shape;
      K('qu8_resize_bilinear')(H, W, C, inA, OH, OW, out, 0, OH, o.bool(2) ? 1 : 0, o.bool(3) ? 1 : 0);
    } else if (op.code === 2) {
      const [, OH, OW, OC] = to.shape;
      let off = 0;
      for (const i of op.inputs) {
        const C = T[i].shape[3];
        const p = concatParams(q(T[i]), q(to));
        K('qu8_concat')(OH * OW, C, addr.get(i)!, out + off, OC, p.copy ? 1 : 0, p.scale, p.bias, p.outZeroPoint);
        off += C;
      }
    } else if (op.code === 56) {
      const [, H, W, C] = ti[0].shape;
      const o32 = alloc(H * W * 4);
      K('qu8_argmax')(H * W, C, inA, o32);
      const idx = new Int32Array(memory.buffer, o32, H * W);
      new Uint8Array(memory.buffer).set(Uint8Array.from(idx), out);
    } else if (op.code !== 22) {
      throw new Error(`oracle test: builtin op ${op.code} not handled`);
    }
  }
  const outT = T[m.outputs[0]];
  const n = outT.type === 'INT64' ? outT.shape.reduce((a, b) => a * b, 1) : size(outT);
  return new Uint8Array(memory.buffer).slice(addr.get(m.outputs[0])!, addr.get(m.outputs[0])! + n);
}

const top5 = (a: Uint8Array) => Array.from(a.keys()).sort((x, y) => a[y] - a[x] || x - y).slice(0, 5);
const IMAGES = ['cat', 'grace_hopper', 'hot_dog', 'dog_segmentation'];

describeShared('qu8 kernels on mobilenet_v2_1.0_224_quant vs the TFLite oracle', () => {
  const model = sharedPath('models/mobilenet_v2_1.0_224_quant.tflite');
  for (const module of ['simd', 'scalar'] as ModuleName[]) {
    it.each(IMAGES)(`fp32 + mulshift (XNNPACK arithmetic) @ ${module}: %s output bytes identical`, (img) => {
      const input = new Uint8Array(readFileSync(sharedPath(`oracle/inputs/${img}.224x224.rgb.u8.bin`)));
      const want = new Uint8Array(readFileSync(sharedPath(`oracle/outputs/mobilenet_v2_1.0_224_quant.${img}.out.uint8.bin`)));
      const got = runModel(model, input, module, 'fp32');
      expect(Array.from(got)).toEqual(Array.from(want));
    });
  }
  it.each(IMAGES)('gemmlowp (TFLite builtin arithmetic) @ simd: %s same top-1, bytes within 8', (img) => {
    const input = new Uint8Array(readFileSync(sharedPath(`oracle/inputs/${img}.224x224.rgb.u8.bin`)));
    const want = new Uint8Array(readFileSync(sharedPath(`oracle/outputs/mobilenet_v2_1.0_224_quant.${img}.out.uint8.bin`)));
    const got = runModel(model, input, 'simd', 'gemmlowp');
    expect(top5(got)[0]).toBe(top5(want)[0]);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i]), `class ${i}`).toBeLessThanOrEqual(8);
  });
});

describeShared('qu8 kernels on deeplabv3_mnv2_dm05_pascal_quant vs the TFLite oracle', () => {
  it('fp32 + mulshift @ simd: ≥ 99.5 % of the 513×513 class map identical', () => {
    const input = new Uint8Array(readFileSync(sharedPath('oracle/inputs/dog_segmentation.513x513.rgb.u8.bin')));
    const want = new Uint8Array(readFileSync(sharedPath('oracle/outputs/deeplabv3_mnv2_dm05_pascal_quant.dog_segmentation.argmax.u8.bin')));
    const got = runModel(sharedPath('models/deeplabv3_mnv2_dm05_pascal_quant.tflite'), input, 'simd', 'fp32');
    let same = 0;
    for (let i = 0; i < want.length; i++) if (got[i] === want[i]) same++;
    expect(same / want.length).toBeGreaterThanOrEqual(0.995);
  });
});
