/** The vector scaled to unit length; null for the zero vector. */
export function normalize(vector: readonly number[]): number[] | null {
  let sum = 0;
  for (const value of vector) sum += value * value;
  if (sum === 0 || !Number.isFinite(sum)) return null;
  const norm = Math.sqrt(sum);
  return vector.map((value) => value / norm);
}
