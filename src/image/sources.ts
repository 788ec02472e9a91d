// Every image a caller has, turned into pixels ({ data, width, height, channels }) before preprocessing.
// Browsers: HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, ImageBitmap, HTMLVideoElement, VideoFrame,
// ImageData, Blob / File (decoded with createImageBitmap), encoded bytes. Node: a file path, a Buffer or
// other encoded bytes (decoded by ./decode-node.ts: sharp, plus a BMP reader). Raw pixels pass through.
// Drawables are read back through a 2D canvas at their own (natural) size, so the engine's bilinear resize
// is the only resampling; a same-size ImageBitmap comes back byte for byte.
import { InputError, ResourceLimitError } from '../errors.js';
import { isNode } from '../platform.js';
import type { ImageInput } from './preprocess.js';
import type { DecodeImageOptions } from './decode-node.js';

/** An element, bitmap, frame or file a browser has. Typed structurally so Node builds need no DOM types. */
type Drawable = CanvasImageSource;

/**
 * What classify() / segment() / embed() take: raw pixels (ImageData fits), anything drawable in a browser
 * (img, canvas, OffscreenCanvas, ImageBitmap, video, VideoFrame), a Blob or File, encoded image bytes
 * (ArrayBuffer or a typed array holding a JPEG, PNG…), or in Node a file path.
 */
export type ImageSource = ImageInput | Drawable | Blob | ArrayBuffer | ArrayBufferView | string;

/** Raw pixels already: { data: Uint8Array | Uint8ClampedArray, width, height } (ImageData included). */
export function isPixels(x: unknown): x is ImageInput {
  if (!x || typeof x !== 'object') return false;
  const d = (x as ImageInput).data;
  return (d instanceof Uint8Array || d instanceof Uint8ClampedArray) && 'width' in x && 'height' in x;
}

const has = (name: string): boolean => typeof (globalThis as Record<string, unknown>)[name] === 'function';
const isA = (x: unknown, name: string): boolean => has(name) && x instanceof ((globalThis as Record<string, unknown>)[name] as new () => unknown);

/** Pixels for `source` (a raw-pixel source is returned as is; everything else is decoded or drawn). */
export async function toPixels(source: ImageSource, maxPixels?: number): Promise<ImageInput> {
  if (isPixels(source)) return source;
  if (source === null || source === undefined) throw new InputError('image: expected pixels { data, width, height }, an image element, a bitmap, a Blob, encoded bytes or (Node) a file path; got ' + String(source));
  if (typeof source === 'string') {
    if (isNode) return (await import('./decode-node.js')).decodeImage(source, { maxPixels });
    throw new InputError(`image: a string ("${source.slice(0, 80)}") is a file path, which only Node reads; in a browser pass an <img>, a Blob or pixels`);
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    if (isNode) return (await import('./decode-node.js')).decodeImage(bytes, { maxPixels });
    return toPixels(new Blob([bytes as Uint8Array<ArrayBuffer>]), maxPixels);
  }
  if (isA(source, 'Blob')) {
    const blob = source as Blob;
    if (isNode) return (await import('./decode-node.js')).decodeImage(new Uint8Array(await blob.arrayBuffer()), { maxPixels });
    if (!has('createImageBitmap')) throw new InputError('image: this runtime has no createImageBitmap to decode a Blob; pass pixels');
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    } catch (e) {
      const name = isA(blob, 'File') ? `"${(blob as File).name}" ` : '';
      throw new InputError(`image: cannot decode the ${name}${blob.type || 'Blob'} (${blob.size} bytes): ${(e as Error).message || e}`);
    }
    try {
      return drawToPixels(bitmap, bitmap.width, bitmap.height, 'ImageBitmap', maxPixels);
    } finally {
      bitmap.close();
    }
  }
  const [w, h, what] = await drawableSize(source as Drawable);
  return drawToPixels(source as Drawable, w, h, what, maxPixels);
}

/** The natural size of a drawable, after waiting for an image that is still loading. */
async function drawableSize(s: Drawable): Promise<[number, number, string]> {
  if (isA(s, 'HTMLImageElement')) {
    const img = s as HTMLImageElement;
    if (!img.complete || img.naturalWidth === 0) {
      try {
        await img.decode();
      } catch {
        throw new InputError(`image: the <img> "${shortUrl(img.currentSrc || img.src)}" could not be loaded or decoded`);
      }
    }
    return [img.naturalWidth, img.naturalHeight, '<img>'];
  }
  if (isA(s, 'HTMLVideoElement')) {
    const v = s as HTMLVideoElement;
    // HAVE_CURRENT_DATA: a frame is there to draw.
    if (v.readyState < 2 || v.videoWidth === 0) throw new InputError('image: the <video> has no frame yet (wait for its "loadeddata" event)');
    return [v.videoWidth, v.videoHeight, '<video>'];
  }
  if (isA(s, 'VideoFrame')) {
    const f = s as VideoFrame;
    if (f.format === null) throw new InputError('image: the VideoFrame is closed');
    return [f.displayWidth, f.displayHeight, 'VideoFrame'];
  }
  if (isA(s, 'ImageBitmap')) {
    const b = s as ImageBitmap;
    if (b.width === 0 && b.height === 0) throw new InputError('image: the ImageBitmap is closed (width 0)');
    return [b.width, b.height, 'ImageBitmap'];
  }
  if (isA(s, 'HTMLCanvasElement') || isA(s, 'OffscreenCanvas')) {
    const c = s as HTMLCanvasElement | OffscreenCanvas;
    return [c.width, c.height, isA(s, 'OffscreenCanvas') ? 'OffscreenCanvas' : '<canvas>'];
  }
  if (isA(s, 'SVGImageElement')) throw new InputError('image: draw the <svg> <image> into a canvas first');
  throw new InputError(`image: unsupported input ${Object.prototype.toString.call(s)}; expected pixels { data, width, height }, an <img>, <canvas>, OffscreenCanvas, ImageBitmap, <video>, VideoFrame, a Blob or encoded bytes`);
}

/** Reads a drawable's pixels through a 2D canvas of its natural size (RGBA, sRGB, unpremultiplied). */
function drawToPixels(s: Drawable, width: number, height: number, what: string, maxPixels = Infinity): ImageInput {
  if (!(width > 0 && height > 0)) throw new InputError(`image: the ${what} is empty (${width}×${height})`);
  if (width * height > maxPixels) throw new ResourceLimitError('maxImagePixels', width * height, maxPixels, `the ${what}`);
  if (width > 16384 || height > 16384) throw new InputError(`image: the ${what} is ${width}×${height}; width and height must be at most 16384`);
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (has('OffscreenCanvas')) {
    ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  } else if (typeof document !== 'undefined') {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    ctx = c.getContext('2d', { willReadFrequently: true });
  } else {
    throw new InputError(`image: no canvas to draw the ${what} into in this runtime; pass pixels { data, width, height }`);
  }
  if (!ctx) throw new InputError(`image: could not get a 2D canvas context to read the ${what}`);
  ctx.drawImage(s, 0, 0, width, height);
  let data: ImageData;
  try {
    data = ctx.getImageData(0, 0, width, height);
  } catch (e) {
    // A cross-origin image without CORS taints the canvas.
    throw new InputError(`image: cannot read the ${what}'s pixels (${(e as Error).name}: ${(e as Error).message}); a cross-origin image needs crossorigin="anonymous" and CORS headers`);
  }
  return { data: data.data, width, height, channels: 4 };
}

/**
 * Decodes an image file to pixels. Node: a file path or encoded bytes (JPEG, PNG, WebP, GIF, AVIF, TIFF, BMP, SVG,
 * told apart by their bytes; see ./decode-node.ts), RGB unless `options.alpha`. Browsers: encoded bytes or a Blob,
 * through createImageBitmap (RGBA). The Node decoder is loaded on the first call, so browsers never download it.
 */
export async function decodeImage(source: string | ArrayBuffer | ArrayBufferView | Blob, options?: DecodeImageOptions): Promise<ImageInput> {
  if (isPixels(source)) throw new InputError('decodeImage(): expected a path, encoded bytes or a Blob; got pixels');
  if (isNode && (typeof source === 'string' || source instanceof ArrayBuffer || ArrayBuffer.isView(source))) {
    const bytes = typeof source === 'string' || source instanceof ArrayBuffer ? source : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return (await import('./decode-node.js')).decodeImage(bytes, options);
  }
  return toPixels(source);
}

function shortUrl(u: string): string {
  return u.length > 100 ? `${u.slice(0, 60)}…${u.slice(-30)}` : u;
}

/**
 * Cosine similarity of two embeddings (e.g. two model.embed() results): a·b / (|a|·|b|), in [−1, 1];
 * 0 when either vector is all zeros.
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (!a || !b || typeof a.length !== 'number' || typeof b.length !== 'number') throw new InputError('cosineSimilarity(): expected two arrays of numbers');
  if (a.length !== b.length) throw new InputError(`cosineSimilarity(): the vectors have different lengths (${a.length} and ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (!Number.isFinite(dot + na + nb)) throw new InputError('cosineSimilarity(): the vectors hold a NaN or an infinity');
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
