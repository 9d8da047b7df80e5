/** Connected components of a binary mask, for dropping stray pixels (noise) from the oracle's mask. */

/** Keeps only the largest 8-connected blob of the row-major `size`×`size` 0/1 `mask`, in place; returns its size. */
export function keepLargestBlob(mask: Uint8Array, size: number): number {
  const label = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let bestLabel = 0;
  let bestCount = 0;
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start]) continue;
    next++;
    let count = 0;
    let top = 0;
    label[start] = next;
    stack[top++] = start;
    while (top > 0) {
      const i = stack[--top];
      count++;
      const x = i % size;
      const y = (i - x) / size;
      for (let ny = Math.max(0, y - 1); ny <= Math.min(size - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(size - 1, x + 1); nx++) {
          const j = ny * size + nx;
          if (mask[j] && !label[j]) {
            label[j] = next;
            stack[top++] = j;
          }
        }
      }
    }
    if (count > bestCount) {
      bestCount = count;
      bestLabel = next;
    }
  }
  for (let i = 0; i < mask.length; i++) mask[i] = bestLabel > 0 && label[i] === bestLabel ? 1 : 0;
  return bestCount;
}
