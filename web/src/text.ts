// Small text helpers shared by the page's modules.

/**
 * 300775552 → "300,775,552". Not toLocaleString: its first call loads the Intl number data, a ~80 ms
 * stall on the main thread at start-up (measured with a 4× slower CPU), for a few numbers.
 */
export const grouped = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * A file name as text with line-break opportunities (<wbr>) after its separators (_ . - /), so a long name
 * such as mobilenet_v2_1.0_224_quant.tflite wraps between its parts, never inside a word.
 */
export function breakable(name: string): (string | HTMLElement)[] {
  return name.split(/(?<=[_.\-/])/).flatMap((part, i) => (i === 0 ? [part] : [document.createElement('wbr'), part]));
}
