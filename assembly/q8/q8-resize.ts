// Source positions of TFLite's float RESIZE_BILINEAR (reference_ops::ComputeInterpolationValues, float32).

// @ts-ignore: decorator
@inline export function resizeScale(inSize: i32, outSize: i32, alignCorners: i32): f32 {
  return alignCorners != 0 && outSize > 1 ? <f32>(inSize - 1) / <f32>(outSize - 1) : <f32>inSize / <f32>outSize;
}

// @ts-ignore: decorator
@inline export function resizePos(v: i32, scale: f32, halfPixel: i32): f32 {
  return halfPixel != 0 ? (<f32>v + <f32>0.5) * scale - <f32>0.5 : <f32>v * scale;
}

// @ts-ignore: decorator
@inline export function resizeLo(s: f32): i32 {
  const f = <i32>floor<f32>(s);
  return f > 0 ? f : 0;
}

// @ts-ignore: decorator
@inline export function resizeHi(s: f32, size: i32): i32 {
  const c = <i32>ceil<f32>(s);
  return c < size - 1 ? c : size - 1;
}

