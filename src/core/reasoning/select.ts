// Order statistics without a full sort: the robust fits (rigidAlign.ts, photometric.ts) take a median of
// thousands of residuals on every iteration, where sorting was most of their time; regionMotion.ts takes its
// per-region percentiles from the same code. Same values as sorting
// and indexing (for arrays without NaN).

/**
 * The k-th smallest of a[0 .. n-1] (k from 0), by quickselect with a median-of-three pivot. Reorders
 * a[0 .. n-1] in place: afterwards a[0 .. k-1] <= a[k] <= a[k+1 .. n-1].
 */
export function selectInPlace(a: Float64Array | Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three to the middle, then Hoare partition around it.
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array | Float32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Median of a[0 .. n-1] (mean of the two middle values when n is even), reordering them; 0 when n is 0. */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n === 0) return 0;
  const k = n >> 1;
  const hi = selectInPlace(a, n, k);
  if (n % 2) return hi;
  // After selecting rank k, the rank k-1 value is the largest of a[0 .. k-1].
  let lo = a[0];
  for (let i = 1; i < k; i++) if (a[i] > lo) lo = a[i];
  return 0.5 * (lo + hi);
}
