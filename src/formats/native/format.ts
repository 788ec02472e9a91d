// The native single-file model format: the safetensors layout.
//
//   bytes 0..8      u64 little-endian N, the header length
//   bytes 8..8+N    UTF-8 JSON header, padded with spaces so that the data starts at a multiple of 64
//   bytes 8+N..     the data; every tensor begins at a multiple of 64 (relative to the data start,
//                   and so also in the file)
//
// header = {
//   "__metadata__": {
//     "format": "mobilenet-wasm", "format_version": "1", "architecture": "mobilenet_v2",
//     "graph": JSON of the Graph without meta and without weight arrays; conv / depthwise / dense
//              nodes name their tensors instead: "weights": "<node>/weights", "bias": "<node>/bias",
//     "meta":  JSON of ModelMeta
//   },
//   "<node>/weights": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] },
//   ...
// }
//
// Quantized graphs (same layout, same version: every addition is an optional key that float graphs
// never write, so a float graph's file is unchanged byte for byte):
// - "graph" may carry "values": { "<value>": { "dtype": "uint8", "quant": { "scale", "zeroPoint" } } },
//   and "input" may carry "dtype" and "quant";
// - a quantized conv / depthwise / dense node has no "weights" / "bias" keys but
//   "q": { "dtype": "uint8" | "int8", "weights": "<node>/weights" (U8 / I8, the float weights' shape),
//          "scale": "<node>/weights_scale" (F32 [1 or C]), "zeroPoint": "<node>/weights_zero_point"
//          (I32 [1 or C]), "bias": "<node>/bias" (I32 [C]) };
// - conv / depthwise may carry "dilation", global_avg_pool "keepDims", softmax "beta", and the ops
//   quantize, dequantize, pad {pad}, concat {axis}, resize_bilinear {size, alignCorners,
//   halfPixelCenters}, argmax {axis, outputType}, reshape {shape} appear as nodes;
// - "meta" may carry "task".
// Detectors add: "graph" "outputs" (every output, the first being "output", when there are several), concat
// {axis} on any axis, and the nodes logistic, view {begin, shape} and detection_postprocess {options, anchors
// (the real anchors as a JSON number array)}; meta.task "detect". Older files read unchanged.
// A reader that predates these keys rejects such a file (unknown op, non-F32 tensor, unused tensor)
// except for "dilation" / "keepDims" / "beta" on an otherwise float graph.
//
// The reference safetensors reader insists that the tensors tile the data with no gaps, so the
// alignment gaps are covered by filler entries "__pad_<i>__" (dtype U8, shape [gap], zero bytes).
// Such a file opens unchanged in the `safetensors` Python/Rust packages.
import type { OpName } from '../../graph/ir.js';
import { OPS as OP_TABLE } from '../../ops/index.js';

export const FORMAT = 'mobilenet-wasm';
export const FORMAT_VERSION = '1';
/** Alignment of the data start and of every tensor, in bytes. */
export const ALIGN = 64;
/** Largest header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** Name of the i-th alignment filler entry. */
export const padEntryName = (i: number) => `__pad_${i}__`;
export const isPadEntryName = (s: string) => /^__pad_\d+__$/.test(s);

export const weightsTensor = (node: string) => `${node}/weights`;
export const biasTensor = (node: string) => `${node}/bias`;
export const scaleTensor = (node: string) => `${node}/weights_scale`;
export const zeroPointTensor = (node: string) => `${node}/weights_zero_point`;

/** Bytes per element of the safetensors dtypes (F32, U8, I8 and I32 are used; U8 also for fillers). */
export const DTYPE_SIZES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

export const alignUp = (n: number, a = ALIGN) => Math.ceil(n / a) * a;

/** The ops a file may hold: the IR's (src/ops/index.ts; each op module reads and writes its own node JSON). */
export const OPS = Object.keys(OP_TABLE) as readonly OpName[];
export const DTYPES = ['float32', 'uint8', 'int8', 'int32', 'int64'] as const;
export const TASKS = ['classify', 'segment', 'detect'] as const;
export const ACTIVATIONS = ['none', 'relu', 'relu6'] as const;
export const PADDING_MODES = ['same', 'keras', 'symmetric'] as const;

/** Host byte order: typed arrays are little-endian on every platform we run on, but check. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
