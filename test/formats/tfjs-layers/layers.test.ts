// The Keras layer converter table: every supported class has a row, lookups never hit
// Object.prototype, and an unknown class (even one named like a prototype member) is an
// UnsupportedOpError naming it.
import { describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../../src/errors.js';
import { importTfjsLayers } from '../../../src/formats/tfjs-layers/import.js';
import { LAYER_CONVERTERS, layerConverterFor, type KerasClass } from '../../../src/formats/tfjs-layers/layers.js';
import { KerasBuilder } from '../keras-builder.js';

describe('LAYER_CONVERTERS', () => {
  it('has a row for every supported class, found by layerConverterFor', () => {
    const classes = Object.keys(LAYER_CONVERTERS) as KerasClass[];
    expect(classes).toEqual(expect.arrayContaining(['InputLayer', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'ReLU', 'Dense', 'Softmax', 'Add']));
    for (const c of classes) expect(layerConverterFor(c), c).toBe(LAYER_CONVERTERS[c]);
  });

  it('finds nothing for unknown classes or names of Object.prototype', () => {
    for (const c of ['SeparableConv2D', 'LSTM', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '']) {
      expect(layerConverterFor(c), c).toBeUndefined();
    }
  });

  it('an unknown class named like a prototype member is still an UnsupportedOpError naming it', () => {
    const b = new KerasBuilder();
    const x = b.input('in', 4, 4, 3);
    b.layer('constructor', 'odd', {}, [x]);
    const a = b.build('in', 'odd');
    expect(() => importTfjsLayers(a, { fileName: 'odd.json' })).toThrow(UnsupportedOpError);
    expect(() => importTfjsLayers(a, { fileName: 'odd.json' })).toThrow('odd.json: layer "odd" (constructor): layer class "constructor" is not supported');
  });
});
