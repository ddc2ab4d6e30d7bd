/** Statistics and markdown formatting shared by the bench's reports (run.ts, compare.ts). */

export interface Stats { median: number; min: number; max: number }
export const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
};
export const int = (x: number) => Math.round(x).toLocaleString('en-US');
export const ms = (s: Stats) => `${int(s.median)} ms (${int(s.min)}–${int(s.max)})`;
export const ratio = (x: number) => `${x.toFixed(2)}×`;
export const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
