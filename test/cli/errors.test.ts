// The CLI's handling of mistakes (issue 12): each one a single line on stderr, a non-zero exit status and no
// stack trace; --help never runs work; batches go on past a bad file. In-process through main(argv), and a few
// through the built executable (dist/cli.js) to see what a shell sees.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { main } from '../../src/cli/main.js';
import { ROOT } from '../helpers/shared.js';
import { writeBmp } from '../helpers/bmp.js';
import { buildMobileNetV2 } from '../../src/models/mobilenet-v2.js';
import { writeNative } from '../../src/formats/native/write.js';

interface Run { code: number; out: string; err: string[] }

/** main(argv) with everything written to stdout / stderr captured; stderr as lines. */
async function cli(...argv: string[]): Promise<Run> {
  const out: string[] = [], err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => { err.push(...a.join(' ').split('\n')); });
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err.push(...String(s).split(/[\r\n]/).filter(Boolean)); return true; });
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

let dir: string;
let png: string, bmp: string, bad: string, dashed: string;
const SAMPLE = path.join(ROOT, 'models/sample.svg');
/** A small float model file written by the test (MobileNetV2 α 0.35 at 96×96, 10 classes), whatever the default is. */
let MODEL: string;
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mnw-cli-errors-'));
  const raw = Buffer.alloc(64 * 48 * 3).map((_, i) => (i * 7) & 255);
  png = path.join(dir, 'picture.png');
  await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } }).png().toFile(png);
  bmp = path.join(dir, 'picture.bmp');
  writeFileSync(bmp, writeBmp({ width: 64, height: 48, bpp: 24, pixel: (x, y) => [raw[3 * (y * 64 + x)], raw[3 * (y * 64 + x) + 1], raw[3 * (y * 64 + x) + 2]] }));
  bad = path.join(dir, 'truncated.jpg');
  const jpeg = await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } }).jpeg().toBuffer();
  writeFileSync(bad, jpeg.subarray(0, jpeg.length >> 1));
  dashed = path.join(dir, '-dash.png'); // a file name that looks like an option
  writeFileSync(dashed, readFileSync(png));
  mkdirSync(path.join(dir, 'folder'));
  MODEL = path.join(dir, 'small.safetensors');
  writeFileSync(MODEL, writeNative(buildMobileNetV2({ alpha: 0.35, resolution: 96, classes: 10 })));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mistakes: one line on stderr, non-zero exit, no stack trace', () => {
  // [what, argv, exit status, the one stderr line]
  const cases: [string, () => string[], number, RegExp][] = [
    ['unknown option after the file', () => ['classify', png, '--verbose'], 2, /^mobilenet-wasm: InputError: classify: unknown option --verbose \(mobilenet-wasm classify --help lists the options\)$/],
    ['unknown option before the file (the file is not swallowed)', () => ['classify', '--verbose', png], 2, /classify: unknown option --verbose/],
    ['unknown short option', () => ['info', '-x'], 2, /info: unknown option -x/],
    ['valued option at the end', () => ['classify', png, '--top'], 2, /classify: option --top needs a value$/],
    ['valued option followed by another option', () => ['classify', png, '--model', '--json'], 2, /option --model needs a value, got the option --json/],
    ['boolean given a value', () => ['classify', png, '--json=yes'], 2, /option --json takes no value, got "yes"/],
    ['--top not a number', () => ['classify', png, '--top', 'five'], 2, /classify: --top must be a positive integer, got "five"/],
    ['--threads 0', () => ['classify', png, '--threads', '0'], 2, /--threads must be a positive integer, got "0"/],
    ['--isa unknown', () => ['classify', png, '--isa', 'avx'], 2, /--isa must be auto, relaxed, simd or scalar, got "avx"/],
    ['classify without files', () => ['classify'], 2, /classify: give at least one image file/],
    ['unknown command', () => ['clasify', png], 2, /^mobilenet-wasm: InputError: unknown command "clasify" \(commands: classify, segment, detect, info, convert, bench, quantize/],
    ['unknown option before the command', () => ['--verbose', 'classify', png], 2, /unknown option --verbose before the command/],
    ['bench --runs 0', () => ['bench', '--runs', '0'], 2, /bench: --runs must be a positive integer, got "0"/],
    ['bench --warmup -1', () => ['bench', '--warmup', '-1'], 2, /bench: --warmup must be an integer ≥ 0, got "-1"/],
    ['bench with a stray argument', () => ['bench', 'now'], 2, /bench: unexpected argument "now"/],
    ['convert: missing input', () => ['convert', path.join(dir, 'none.tflite'), path.join(dir, 'out.safetensors')], 1, /convert: input model ".*none\.tflite": no such file$/],
    ['convert: input is a directory', () => ['convert', dir, path.join(dir, 'out.safetensors')], 1, /convert: input model ".*" is a directory, not a file$/],
    ['convert: output is an existing directory (EISDIR)', () => ['convert', MODEL, path.join(dir, 'folder')], 1, /convert: output ".*folder" is a directory; give a file name, e\.g\. .*folder\/model\.safetensors$/],
    ['convert: output folder missing', () => ['convert', MODEL, path.join(dir, 'no', 'x.safetensors')], 1, /cannot write convert: output ".*x\.safetensors": the folder .*no does not exist/],
    ['convert: one argument', () => ['convert', MODEL], 2, /convert: mobilenet-wasm convert <input model> <output\.safetensors\|output\.tflite>/],
    ['convert: not a model', () => ['convert', png, path.join(dir, 'out.safetensors')], 1, /^mobilenet-wasm: ModelFormatError: /],
    ['info: missing model file', () => ['info', '--model', path.join(dir, 'none.tflite')], 1, /InputError: cannot read model file ".*none\.tflite"/],
    ['info: model is a directory', () => ['info', '--model', path.join(dir, 'folder')], 1, /--model ".*folder" is a directory; give the model file/],
    ['info: --model and --alpha together', () => ['info', '--model', MODEL, '--alpha', '1'], 2, /info: give either --model or --alpha/],
    ['segment: --out is a directory', () => ['segment', png, '--model', MODEL, '--out', path.join(dir, 'folder')], 1, /--out ".*folder" is a directory; give a file name, e\.g\. .*overlay\.png$/],
    ['segment: --alpha out of range', () => ['segment', png, '--model', MODEL, '--out', path.join(dir, 'o.png'), '--alpha', '2'], 2, /segment: --alpha must be a number in \[0, 1\], got "2"/],
    ['segment: a classifier', () => ['segment', png, '--model', MODEL, '--out', path.join(dir, 'o.png')], 1, /InputError: segment\(\): model ".*" is not a segmentation model/],
    ['detect: no --model', () => ['detect', png], 2, /detect: give the detector with --model <file>/],
    ['detect: a classifier', () => ['detect', png, '--model', MODEL], 1, /InputError: detect: model ".*" is not a detector \(task classify\)/],
    ['detect: --threshold out of range', () => ['detect', png, '--model', MODEL, '--threshold', '1.5'], 2, /--threshold must be a number in \[0, 1\]/],
    ['detect: --out with two images', () => ['detect', png, bmp, '--model', MODEL, '--out', path.join(dir, 'o.png')], 2, /detect: --out takes one image/],
    ['quantize: calibration folder missing', () => ['quantize', MODEL, path.join(dir, 'q.safetensors'), '--calibrate', path.join(dir, 'none')], 1, /cannot read the calibration folder ".*none": no such directory$/],
    ['quantize: no --calibrate', () => ['quantize', MODEL, path.join(dir, 'q.safetensors')], 2, /InputError: quantize: usage: /],
    ['help about an unknown command', () => ['help', 'nope'], 2, /help: unknown command "nope"/],
  ];

  it.each(cases)('%s', async (_, argv, code, line) => {
    const r = await cli(...argv());
    expect(r.err, r.err.join('\n')).toHaveLength(1);
    expect(r.err[0]).toMatch(line);
    expect(r.err[0]).not.toMatch(/^\s+at /);
    expect(r.code).toBe(code);
    expect(r.out).toBe('');
  });
});

describe('--help, -h and --version never run work', () => {
  it.each(['classify', 'segment', 'detect', 'info', 'convert', 'bench', 'quantize'])('%s --help and -h print the usage, exit 0', async (cmd) => {
    for (const flag of ['--help', '-h']) {
      const t0 = performance.now();
      // Extra words that would otherwise be mistakes (a missing file, an unknown option) do not matter.
      const r = await cli(cmd, '/no/such/file', '--bogus', flag);
      expect(r.code).toBe(0);
      expect(r.err).toEqual([]);
      expect(r.out).toMatch(new RegExp(`^Usage: mobilenet-wasm ${cmd} `));
      expect(r.out).toMatch(/-h, --help/);
      expect(r.out).not.toMatch(/median [\d.]+ ms|peak activation memory|wrote |calibrating \[|\(\S+, [\d.]+ ms\)/);
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it('mobilenet-wasm --help / -h / help list the commands; help <command> gives its usage', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Commands:\n\s+classify/);
    }
    expect((await cli('help', 'bench')).out).toMatch(/^Usage: mobilenet-wasm bench/);
  });

  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-v']) expect(await cli(flag)).toEqual({ code: 0, out: pkg.version, err: [] });
  });

  it('-- ends the options: a file named like an option is classified', async () => {
    const r = await cli('classify', '--top', '1', '--json', '--', dashed);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(JSON.parse(r.out)[0].file).toBe(dashed);
  });
});

describe('classify batches', () => {
  it('go on past a bad file: the others are printed, the bad one reported on one line, exit 1 at the end', async () => {
    const missing = path.join(dir, 'missing.png');
    const r = await cli('classify', png, bad, missing, bmp, dir, '--top', '2');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${png}  (`);
    expect(r.out).toContain(`${bmp}  (`);
    expect(r.err).toHaveLength(3);
    expect(r.err[0]).toMatch(/^mobilenet-wasm: InputError: cannot decode JPEG image ".*truncated\.jpg": /);
    expect(r.err[1]).toMatch(/^mobilenet-wasm: InputError: cannot read image ".*missing\.png": no such file$/);
    expect(r.err[2]).toMatch(/^mobilenet-wasm: InputError: cannot read image ".*": it is a directory$/);
  });

  it('--json names the model and lists failures as { file, error }', async () => {
    const r = await cli('classify', png, bad, '--json', '--top', '3');
    expect(r.code).toBe(1);
    const [ok, failed] = JSON.parse(r.out);
    expect(ok).toMatchObject({ file: png, modelSource: 'default' });
    expect(typeof ok.model).toBe('string');
    expect(ok.model.length).toBeGreaterThan(0);
    expect(ok.results).toHaveLength(3);
    expect(failed).toEqual({ file: bad, error: expect.stringMatching(/^InputError: cannot decode JPEG image/) });
  });

  it('a BMP gives the same classes as the same pixels in a PNG', async () => {
    const r = await cli('classify', png, bmp, '--json');
    expect(r.code, r.err.join('\n')).toBe(0);
    const [a, b] = JSON.parse(r.out);
    expect(b.results).toEqual(a.results);
  });

  it('the flags may come before, between or after the files', async () => {
    const r = await cli('classify', '--json', png, '--top', '1', bmp);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(JSON.parse(r.out).map((x: { results: unknown[] }) => x.results.length)).toEqual([1, 1]);
  });
});

describe('info describes the model', () => {
  it('task, input type and shape, preprocessing and the first labels, before the layers', async () => {
    const r = await cli('info');
    expect(r.code).toBe(0);
    const head = r.out.split('\n').slice(0, 7).join('\n');
    expect(head).toMatch(/^ {2}task: classify \(\d+ classes\)$/m);
    expect(head).toMatch(/^ {2}input: (float32|uint8|int8) 1×\d+×\d+×3 /m);
    expect(head).toMatch(/^ {2}preprocessing: .*bilinear resize to \d+×\d+, pixel·scale \+ offset → /m);
    expect(head).toMatch(/^ {2}labels: ".+"/m);
    const j = JSON.parse((await cli('info', '--json')).out);
    expect(j).toMatchObject({ task: 'classify', inputShape: [1, expect.any(Number), expect.any(Number), 3], preprocess: { centralCrop: expect.any(Number) } });
    expect(j.labels.length).toBe(j.labelCount);
    expect(r.out).toContain(`labels: ${j.labels.slice(0, 3).map((l: string) => JSON.stringify(l)).join(', ')}`);
  });
});

describe('quantize calibrates on BMP too and reports what it cannot decode', () => {
  it('a BMP is calibrated on, a truncated JPEG reported on one line, a text file left out', async () => {
    const folder = path.join(dir, 'calibration');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'a.bmp'), readFileSync(bmp));
    writeFileSync(path.join(folder, 'b.png'), readFileSync(png));
    writeFileSync(path.join(folder, 'c.jpg'), readFileSync(bad));
    writeFileSync(path.join(folder, 'readme.txt'), 'calibration pictures');
    const out = path.join(dir, 'int8.safetensors');
    const r = await cli('quantize', MODEL, out, '--calibrate', folder, '--json');
    const report = JSON.parse(r.out);
    expect(r.code).toBe(0);
    expect(report.images).toEqual(['a.bmp', 'b.png', 'c.jpg']);
    expect(report.imagesInFolder).toBe(3);
    expect(report.notImages).toEqual(['readme.txt']);
    expect(report.undecodable).toEqual([{ file: 'c.jpg', error: expect.stringMatching(/^cannot decode JPEG image ".*c\.jpg": /) }]);
    const warnings = r.err.filter((l) => !l.startsWith('calibrating ['));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^mobilenet-wasm: skipped ".*c\.jpg": cannot decode JPEG image/);
    expect(existsSync(out)).toBe(true);
  }, 60_000);
});

// The real executable, as a shell runs it: the same one line, and the stack only on request.
const CLI_JS = path.join(ROOT, 'dist/cli.js');
const built = existsSync(CLI_JS);
if (!built) console.warn('[skip] CLI process tests: dist/cli.js is not built; run `npm run build`');

function spawnCli(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_JS, ...argv], { env: { ...process.env, MOBILENET_WASM_DEBUG: '', ...env } }, (e, stdout, stderr) => {
      resolve({ code: e ? (e.code as number) : 0, out: stdout.trim(), err: stderr.split('\n').filter(Boolean) });
    });
  });
}

describe.skipIf(!built)('dist/cli.js as a process', () => {
  it.each([
    [['classify', SAMPLE, '--verbose'], 2, /unknown option --verbose/],
    [['info', '--model', '/no/such/model.tflite'], 1, /cannot read model file/],
    [['convert', SAMPLE, tmpdir()], 1, /is a directory; give a file name/],
    [['bench', '--runs', '0'], 2, /--runs must be a positive integer/],
  ] as [string[], number, RegExp][])('%j: exit %i, one line', async (argv, code, line) => {
    const r = await spawnCli(argv);
    expect(r.code).toBe(code);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(line);
  });

  it('--debug or MOBILENET_WASM_DEBUG=1 adds the stack trace', async () => {
    for (const r of [await spawnCli(['info', '--model', '/no/such/model.tflite', '--debug']), await spawnCli(['info', '--model', '/no/such/model.tflite'], { MOBILENET_WASM_DEBUG: '1' })]) {
      expect(r.code).toBe(1);
      expect(r.err[0]).toMatch(/InputError: cannot read model file/);
      expect(r.err.some((l) => /^\s+at /.test(l))).toBe(true);
    }
  });

  it('--version and bench --help answer at once', async () => {
    expect(await spawnCli(['--version'])).toEqual({ code: 0, out: pkg.version, err: [] });
    const r = await spawnCli(['bench', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: mobilenet-wasm bench/);
  });
});
