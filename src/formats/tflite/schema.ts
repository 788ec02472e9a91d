// The parts of the TFLite FlatBuffer schema (tensorflow/lite/schema/schema.fbs, schema version 3,
// including the 3a "builtin_code" and 3c "buffer offset/size" extensions) that the importer reads,
// decoded into plain objects by the checked reader of ./flatbuffer.ts.
//
// Field numbers (the n-th field of a table, counting a union as two: type then value):
//   Model          0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers,
//                  5 metadata_buffer, 6 metadata, 7 signature_defs
//   OperatorCode   0 deprecated_builtin_code (byte), 1 custom_code, 2 version (= 1), 3 builtin_code (int)
//   SubGraph       0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
//   Tensor         0 shape, 1 type, 2 buffer, 3 name, 4 quantization, 5 is_variable, 6 sparsity,
//                  7 shape_signature, 8 has_rank, 9 variant_tensors
//   Quantization   0 min, 1 max, 2 scale, 3 zero_point (long), 4/5 details (union), 6 quantized_dimension
//   Operator       0 opcode_index, 1 inputs, 2 outputs, 3/4 builtin_options (union), 5 custom_options, …
//   Buffer         0 data, 1 offset (ulong), 2 size (ulong)
//   Metadata       0 name, 1 buffer

import { FbReader, type FbTable } from './flatbuffer.js';
import { preview } from '../../errors.js';

export const TFLITE_IDENTIFIER = 'TFL3';
export const SCHEMA_VERSION = 3;

/** TensorType. */
export const TensorType = {
  FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, STRING: 5, BOOL: 6, INT16: 7, COMPLEX64: 8,
  INT8: 9, FLOAT64: 10, COMPLEX128: 11, UINT64: 12, RESOURCE: 13, VARIANT: 14, UINT32: 15, UINT16: 16,
  INT4: 17,
} as const;
const TENSOR_TYPE_NAMES = Object.fromEntries(Object.entries(TensorType).map(([k, v]) => [v, k])) as Record<number, string>;
export const tensorTypeName = (t: number): string => TENSOR_TYPE_NAMES[t] ?? `type ${t}`;
/** Bytes per element of the fixed-size types. */
export const TENSOR_TYPE_SIZE: Record<number, number> = {
  0: 4, 1: 2, 2: 4, 3: 1, 4: 8, 6: 1, 7: 2, 8: 8, 9: 1, 10: 8, 11: 16, 12: 8, 15: 4, 16: 2,
};

/** BuiltinOperator names by code (schema.fbs order; unknown codes print as "code N"). */
const OP_NAMES = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP ' +
  'FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC ' +
  'LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX ' +
  'SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD ' +
  'UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE ' +
  'UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE ' +
  'BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL ' +
  'LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT ' +
  'RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT ' +
  'UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR ' +
  'LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ' +
  'ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 ' +
  'NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES ' +
  'CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE HASHTABLE_FIND HASHTABLE_IMPORT ' +
  'HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ASSIGN_VARIABLE BROADCAST_ARGS ' +
  'RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU DYNAMIC_UPDATE_SLICE RELU_0_TO_1 ' +
  'UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 UNSORTED_SEGMENT_MIN SIGN BITCAST ' +
  'BITWISE_XOR RIGHT_SHIFT'
).split(' ');

export const opName = (code: number): string => OP_NAMES[code] ?? `code ${code}`;

/** The builtin operators the importer maps. */
export const Op = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6,
  FULLY_CONNECTED: 9, LOGISTIC: 14, RELU: 19, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, SOFTMAX: 25,
  CUSTOM: 32, PAD: 34, MEAN: 40, SQUEEZE: 43, ARG_MAX: 56, PACK: 83, QUANTIZE: 114,
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127, CONV_3D: 132,
} as const;

/** BuiltinOptions union types (0 = NONE). */
export const Options = {
  Conv2DOptions: 1, DepthwiseConv2DOptions: 2, Pool2DOptions: 5, FullyConnectedOptions: 8, SoftmaxOptions: 9,
  ConcatenationOptions: 10, AddOptions: 11, ResizeBilinearOptions: 15, ReshapeOptions: 17, PadOptions: 22,
  ReducerOptions: 27, SqueezeOptions: 30, DequantizeOptions: 38, ArgMaxOptions: 40, PackOptions: 59, QuantizeOptions: 89,
  Conv3DOptions: 106,
} as const;

/** ActivationFunctionType. */
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;
export const ACTIVATION_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** Padding. */
export const Padding = { SAME: 0, VALID: 1 } as const;

export interface TfliteOperatorCode {
  /** max(builtin_code, deprecated_builtin_code), as the TFLite runtime resolves it. */
  code: number;
  deprecatedCode: number;
  builtinCode: number;
  version: number;
  customCode?: string;
  pos: number;
}

export interface TfliteQuant {
  scale?: Float32Array;
  zeroPoint?: number[];
  min?: Float32Array;
  max?: Float32Array;
  quantizedDimension: number;
  /** Union type of QuantizationDetails (0 = none: plain affine quantization). */
  detailsType: number;
  pos: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  quant?: TfliteQuant;
  isVariable: boolean;
  sparse: boolean;
  pos: number;
}

export interface TfliteOperator {
  index: number;
  opcodeIndex: number;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  options?: FbTable;
  hasCustomOptions: boolean;
  /** custom_options bytes (a FlexBuffer for TFLite's custom ops; see ./flexbuffers.ts), a view into the file. */
  customOptions?: Uint8Array;
  pos: number;
}

export interface TfliteSubgraph {
  name?: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  pos: number;
}

export interface TfliteBuffer {
  /** A view of the file (empty when the buffer has no data). */
  data: Uint8Array;
  /** Byte offset of the data in the file (or of the buffer table when empty). */
  at: number;
}

export interface TfliteModel {
  version: number;
  description?: string;
  operatorCodes: TfliteOperatorCode[];
  subgraphs: TfliteSubgraph[];
  buffers: TfliteBuffer[];
  metadata: { name: string; buffer: number; pos: number }[];
  /** One past the last byte of the FlatBuffer that was read (trailing data such as a zip follows). */
  extent: number;
  reader: FbReader;
}

/** Most tensors / operators / buffers a subgraph may declare (far above any real model; bounds work). */
const MAX_ITEMS = 1 << 20;
/** Largest rank accepted for a tensor shape. */
const MAX_RANK = 8;

/** Decodes and checks the model structure (not the semantics: the importer does that). */
export function parseTflite(bytes: Uint8Array, file: string): TfliteModel {
  const r: FbReader = new FbReader(bytes, file);
  if (bytes.length < 8) r.fail('TFLite header', `file is ${bytes.length} bytes, too short for a TFLite model`, 0);
  const ident = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!);
  if (ident !== TFLITE_IDENTIFIER) r.fail('TFLite header', `file identifier is ${preview(ident)}, expected "TFL3"`, 4);
  const model = r.root('model');
  const version = model.u32(0, 'version');
  if (version !== SCHEMA_VERSION) r.fail('model.version', `schema version ${version} is not supported (expected 3)`, model.field(0, 4, 'version') || model.pos);
  const description = model.string(3, 'description');

  const count = (what: string, n: number, at: number) => {
    if (n > MAX_ITEMS) r.fail(what, `${n} entries is implausible`, at);
  };

  // operator codes
  const operatorCodes: TfliteOperatorCode[] = [];
  const oc = model.vector(1, 4, 'operator_codes');
  if (oc) {
    count('model.operator_codes', oc.length, oc.pos - 4);
    for (let k = 0; k < oc.length; k++) {
      const t = model.tableAt(oc, k, 'operator_codes');
      const deprecatedCode = t.i8(0, 'deprecated_builtin_code');
      const customCode = t.string(1, 'custom_code');
      const ver = t.i32(2, 'version', 1);
      const builtinCode = t.i32(3, 'builtin_code');
      operatorCodes.push({
        code: Math.max(deprecatedCode, builtinCode),
        deprecatedCode,
        builtinCode,
        version: ver,
        ...(customCode !== undefined ? { customCode } : {}),
        pos: t.pos,
      });
    }
  }

  // buffers
  const buffers: TfliteBuffer[] = [];
  const bv = model.vector(4, 4, 'buffers');
  if (bv) {
    count('model.buffers', bv.length, bv.pos - 4);
    for (let k = 0; k < bv.length; k++) {
      const t = model.tableAt(bv, k, 'buffers');
      const data = t.bytes(0, 'data');
      const offset = t.u64(1, 'offset');
      const size = t.u64(2, 'size');
      if (offset > 1) {
        // Schema 3c: the data lives outside the FlatBuffer, at an absolute file offset.
        r.need(`model.buffers[${k}] (offset ${offset}, size ${size})`, offset, size);
        buffers.push({ data: bytes.subarray(offset, offset + size), at: offset });
      } else if (data) {
        buffers.push({ data, at: data.byteOffset - bytes.byteOffset });
      } else {
        buffers.push({ data: bytes.subarray(0, 0), at: t.pos });
      }
    }
  }

  // metadata
  const metadata: TfliteModel['metadata'] = [];
  const mv = model.vector(6, 4, 'metadata');
  if (mv) {
    count('model.metadata', mv.length, mv.pos - 4);
    for (let k = 0; k < mv.length; k++) {
      const t = model.tableAt(mv, k, 'metadata');
      metadata.push({ name: t.string(0, 'name') ?? '', buffer: t.u32(1, 'buffer'), pos: t.pos });
    }
  }

  // subgraphs
  const subgraphs: TfliteSubgraph[] = [];
  const sv = model.vector(2, 4, 'subgraphs');
  if (!sv || sv.length === 0) r.fail('model.subgraphs', 'the model has no subgraph', model.pos);
  count('model.subgraphs', sv.length, sv.pos - 4);
  // Only the main subgraph is decoded; others belong to control flow ops, which are not supported.
  {
    const sg = model.tableAt(sv, 0, 'subgraphs');
    const w = 'model.subgraphs[0]';
    const tensors: TfliteTensor[] = [];
    const tv = sg.vector(0, 4, 'tensors');
    if (tv) {
      count(`${w}.tensors`, tv.length, tv.pos - 4);
      for (let k = 0; k < tv.length; k++) {
        const t = sg.tableAt(tv, k, 'tensors');
        const shapeArr = t.i32Array(0, 'shape');
        const shape = shapeArr ? [...shapeArr] : [];
        if (shape.length > MAX_RANK) r.fail(`${t.what}.shape`, `rank ${shape.length} is implausible`, t.pos);
        const type = t.i8(1, 'type');
        const buffer = t.u32(2, 'buffer');
        const name = t.string(3, 'name') ?? '';
        const qt = t.table(4, 'quantization');
        let quant: TfliteQuant | undefined;
        if (qt) {
          const scale = qt.f32Array(2, 'scale');
          const zeroPoint = qt.i64Array(3, 'zero_point');
          const min = qt.f32Array(0, 'min');
          const max = qt.f32Array(1, 'max');
          quant = {
            ...(scale ? { scale } : {}),
            ...(zeroPoint ? { zeroPoint } : {}),
            ...(min ? { min } : {}),
            ...(max ? { max } : {}),
            quantizedDimension: qt.i32(6, 'quantized_dimension'),
            detailsType: qt.u8(4, 'details_type'),
            pos: qt.pos,
          };
        }
        tensors.push({
          index: k,
          name,
          shape,
          type,
          buffer,
          ...(quant ? { quant } : {}),
          isVariable: t.bool(5, 'is_variable'),
          sparse: t.has(6),
          pos: t.pos,
        });
      }
    }
    const idx = (arr: Int32Array | undefined) => (arr ? [...arr] : []);
    const inputs = idx(sg.i32Array(1, 'inputs'));
    const outputs = idx(sg.i32Array(2, 'outputs'));
    const operators: TfliteOperator[] = [];
    const ov = sg.vector(3, 4, 'operators');
    if (ov) {
      count(`${w}.operators`, ov.length, ov.pos - 4);
      for (let k = 0; k < ov.length; k++) {
        const t = sg.tableAt(ov, k, 'operators');
        const optionsType = t.u8(3, 'builtin_options_type');
        const options = optionsType !== 0 ? t.table(4, 'builtin_options') : undefined;
        const customOptions = t.has(5) ? t.bytes(5, 'custom_options') : undefined;
        operators.push({
          index: k,
          opcodeIndex: t.u32(0, 'opcode_index'),
          inputs: idx(t.i32Array(1, 'inputs')),
          outputs: idx(t.i32Array(2, 'outputs')),
          optionsType,
          ...(options ? { options } : {}),
          hasCustomOptions: t.has(5),
          ...(customOptions ? { customOptions } : {}),
          pos: t.pos,
        });
      }
    }
    subgraphs.push({ name: sg.string(4, 'name'), tensors, inputs, outputs, operators, pos: sg.pos });
  }

  return {
    version,
    ...(description !== undefined ? { description } : {}),
    operatorCodes,
    subgraphs,
    buffers,
    metadata,
    extent: r.extent,
    reader: r,
  };
}
