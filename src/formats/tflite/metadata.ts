// TFLite Support metadata ("TFLITE_METADATA" entry of Model.metadata: a nested FlatBuffer with file
// identifier "M001", tensorflow_lite_support/metadata/metadata_schema.fbs). Only what the importer
// uses: the associated files of the output tensor (labels), and the input normalization.
//
// Field numbers:
//   ModelMetadata     0 name, 1 description, 2 version, 3 subgraph_metadata, 4 author, 5 license,
//                     6 associated_files, 7 min_parser_version
//   SubGraphMetadata  0 name, 1 description, 2 input_tensor_metadata, 3 output_tensor_metadata,
//                     4 associated_files, 5 input_process_units, 6 output_process_units
//   TensorMetadata    0 name, 1 description, 2 dimension_names, 3 content, 4 process_units, 5 stats,
//                     6 associated_files
//   AssociatedFile    0 name, 1 description, 2 type (byte), 3 locale
//   ProcessUnit       0/1 options (union; 1 = NormalizationOptions)
//   NormalizationOptions 0 mean [float], 1 std [float]

import { FbReader, type FbTable, type FbVector } from './flatbuffer.js';
import { preview } from '../../errors.js';

export const METADATA_NAME = 'TFLITE_METADATA';

export const AssociatedFileType = {
  UNKNOWN: 0, DESCRIPTIONS: 1, TENSOR_AXIS_LABELS: 2, TENSOR_VALUE_LABELS: 3, TENSOR_AXIS_SCORE_CALIBRATION: 4,
  VOCABULARY: 5,
} as const;

export interface AssociatedFile {
  name: string;
  type: number;
  locale?: string;
}

export interface TensorMeta {
  name?: string;
  associatedFiles: AssociatedFile[];
  /** NormalizationOptions of the tensor: x_normalized = (x − mean) / std, per channel. */
  mean?: number[];
  std?: number[];
}

export interface TfliteMetadata {
  name?: string;
  description?: string;
  inputs: TensorMeta[];
  outputs: TensorMeta[];
  /** Model- and subgraph-level associated files. */
  associatedFiles: AssociatedFile[];
}

const MAX_ITEMS = 4096;

/** Parses the metadata FlatBuffer `data`, which starts at byte `base` of the model file. */
export function parseMetadata(data: Uint8Array, file: string, base: number): TfliteMetadata {
  const r: FbReader = new FbReader(data, file, base);
  if (data.length < 8) r.fail('TFLITE_METADATA', `buffer is ${data.length} bytes, too short`, 0);
  const ident = String.fromCharCode(data[4]!, data[5]!, data[6]!, data[7]!);
  if (ident !== 'M001') r.fail('TFLITE_METADATA', `file identifier is ${preview(ident)}, expected "M001"`, 4);
  const root = r.root('metadata');
  const limit = (t: FbTable, v: FbVector | undefined, what: string): number => {
    if (!v) return 0;
    if (v.length > MAX_ITEMS) r.fail(`${t.what}.${what}`, `${v.length} entries is implausible`, v.pos - 4);
    return v.length;
  };
  const files = (t: FbTable, i: number): AssociatedFile[] => {
    const v = t.vector(i, 4, 'associated_files');
    const out: AssociatedFile[] = [];
    for (let k = 0; k < limit(t, v, 'associated_files'); k++) {
      const f = t.tableAt(v!, k, 'associated_files');
      const locale = f.string(3, 'locale');
      out.push({ name: f.string(0, 'name') ?? '', type: f.i8(2, 'type'), ...(locale ? { locale } : {}) });
    }
    return out;
  };
  const tensor = (t: FbTable): TensorMeta => {
    const m: TensorMeta = { associatedFiles: files(t, 6) };
    const name = t.string(0, 'name');
    if (name !== undefined) m.name = name;
    const pu = t.vector(4, 4, 'process_units');
    for (let k = 0; k < limit(t, pu, 'process_units'); k++) {
      const u = t.tableAt(pu!, k, 'process_units');
      if (u.u8(0, 'options_type') !== 1) continue;
      const n = u.table(1, 'options');
      if (!n) continue;
      const mean = n.f32Array(0, 'mean');
      const std = n.f32Array(1, 'std');
      if (mean && std) {
        m.mean = [...mean];
        m.std = [...std];
      }
    }
    return m;
  };
  const out: TfliteMetadata = { inputs: [], outputs: [], associatedFiles: files(root, 6) };
  const name = root.string(0, 'name');
  if (name !== undefined) out.name = name;
  const description = root.string(1, 'description');
  if (description !== undefined) out.description = description;
  const sv = root.vector(3, 4, 'subgraph_metadata');
  if (limit(root, sv, 'subgraph_metadata') > 0) {
    const sg = root.tableAt(sv!, 0, 'subgraph_metadata');
    out.associatedFiles.push(...files(sg, 4));
    const iv = sg.vector(2, 4, 'input_tensor_metadata');
    for (let k = 0; k < limit(sg, iv, 'input_tensor_metadata'); k++) out.inputs.push(tensor(sg.tableAt(iv!, k, 'input_tensor_metadata')));
    const ov = sg.vector(3, 4, 'output_tensor_metadata');
    for (let k = 0; k < limit(sg, ov, 'output_tensor_metadata'); k++) out.outputs.push(tensor(sg.tableAt(ov!, k, 'output_tensor_metadata')));
  }
  return out;
}
