// preview(): the bounded value preview every error message uses (issue 14, defect 2), and deep nesting in model
// JSON (native headers, TF.js model.json) refused as ModelFormatError instead of overflowing the stack.
import { describe, it, expect } from 'vitest';
import { preview, loadModel, buildMobileNetV2, writeNative, ModelFormatError } from '../src/index.js';
import { jsonTooDeep } from '../src/formats/json-depth.js';
import { headerText, withHeaderText } from './helpers/native-header.js';

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('preview', () => {
  it('reads like JSON for small values', () => {
    expect(preview([1, 2])).toBe('[1,2]');
    expect(preview({ top: 1, left: 'x' })).toBe('{"top":1,"left":"x"}');
    expect(preview('float16')).toBe('"float16"');
    expect(preview(undefined)).toBe('undefined');
    expect(preview(NaN)).toBe('NaN');
    expect(preview(10n)).toBe('10');
  });

  it('is bounded: long arrays and strings, deep nesting and cycles', () => {
    expect(preview(Array.from({ length: 2_000_000 }, (_, i) => i)).length).toBeLessThanOrEqual(81);
    expect(preview('x'.repeat(1 << 20)).length).toBeLessThanOrEqual(81);
    expect(preview(nested(100_000))).toBe('[[[[[…]]]]]');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(preview(cyclic)).toBe('{"a":1,"self":{"a":1,"self":{"a":1,"self":{"a":1,"self":{…}}}}}');
    expect(preview(new Float32Array(10), 12)).toBe('[0,0,0,0,0,0…');
  });
});

describe('deep JSON in model files', () => {
  it('jsonTooDeep finds where nesting passes the bound, skipping strings', () => {
    expect(jsonTooDeep('{"a":[[1]]}', 3)).toBe(-1);
    expect(jsonTooDeep('{"a":[[[1]]]}', 3)).toBe(7);
    expect(jsonTooDeep('{"a":"[[[[[[\\"[[["}', 3)).toBe(-1);
  });

  it('a native header field nested 5000 deep is a ModelFormatError (was "Maximum call stack size exceeded")', async () => {
    const bytes = writeNative(buildMobileNetV2({ alpha: 0.35, resolution: 32, classes: 5 }));
    const { text } = headerText(bytes);
    for (const edited of [
      text.replace('"dtype":"F32"', `"dtype":${'['.repeat(5000)}1${']'.repeat(5000)}`),
      // inside the graph metadata string: a nested array in place of a node's kernel
      text.replace('\\"kernel\\":[3,3]', `\\"kernel\\":${'['.repeat(5000)}3${']'.repeat(5000)}`),
    ]) {
      expect(edited).not.toBe(text);
      const out = withHeaderText(bytes, edited);
      await expect(loadModel(out)).rejects.toThrow(ModelFormatError);
      await expect(loadModel(out)).rejects.toThrow(/nests deeper than 64/);
    }
  });

  it('a TF.js model.json nested 5000 deep is a ModelFormatError', async () => {
    const json = `{"modelTopology":{"model_config":{"class_name":"Model","config":{"layers":${'['.repeat(5000)}${']'.repeat(5000)}}}},"weightsManifest":[]}`;
    await expect(loadModel(new TextEncoder().encode(json))).rejects.toThrow(ModelFormatError);
    // A 2M-element field ends up in the message as a preview of at most 80 characters, not 15 MB.
    const wide = `{"modelTopology":{"model_config":{"class_name":"Model","config":{"layers":[],"input_layers":[${Array.from({ length: 200000 }, () => 1).join(',')}]}}},"weightsManifest":[]}`;
    const e = await loadModel(new TextEncoder().encode(wide)).then(() => null, (x: Error) => x);
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e!.message.length).toBeLessThan(400);
  });
});
