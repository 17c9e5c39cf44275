/*
 * Pillow's `Image.resize` for 8-bit images (libImaging/Resample.c), so that CLIP features match
 * the reference preprocessing: separable convolution, horizontal pass first, the filter widened
 * by the scale factor when shrinking (antialiasing), fixed-point weights with 22 fractional bits,
 * and an 8-bit rounded and clipped intermediate image between the two passes.
 */

export type ResampleFilter = 'bicubic' | 'bilinear';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

const FILTERS: Record<ResampleFilter, { support: number; fn: (x: number) => number }> = {
  bicubic: {
    support: 2,
    fn: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  bilinear: { support: 1, fn: (x) => Math.max(0, 1 - Math.abs(x)) },
};

interface Coefficients {
  ksize: number;
  bounds: Int32Array; // [xmin, count] per output pixel
  weights: Int32Array; // fixed-point, ksize per output pixel
}

function precomputeCoefficients(inSize: number, outSize: number, filter: ResampleFilter): Coefficients {
  const { support: baseSupport, fn } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = baseSupport * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x] / ww : k[x];
      weights[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

function clip8(acc: number): number {
  const v = Math.floor(acc / ONE);
  return v <= 0 ? 0 : v >= 255 ? 255 : v;
}

/** Resizes interleaved 8-bit pixels with `channels` channels. */
export function resampleU8(
  src: Uint8Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  filter: ResampleFilter = 'bicubic',
): Uint8Array {
  let cur = src;
  let curW = width;
  if (outWidth !== width) {
    const { ksize, bounds, weights } = precomputeCoefficients(width, outWidth, filter);
    const tmp = new Uint8Array(outWidth * height * channels);
    for (let y = 0; y < height; y++) {
      const row = y * width * channels;
      for (let xx = 0; xx < outWidth; xx++) {
        const xmin = bounds[xx * 2];
        const count = bounds[xx * 2 + 1];
        const kOff = xx * ksize;
        for (let c = 0; c < channels; c++) {
          let acc = HALF;
          for (let x = 0; x < count; x++) acc += cur[row + (x + xmin) * channels + c] * weights[kOff + x];
          tmp[(y * outWidth + xx) * channels + c] = clip8(acc);
        }
      }
    }
    cur = tmp;
    curW = outWidth;
  }
  if (outHeight !== height) {
    const { ksize, bounds, weights } = precomputeCoefficients(height, outHeight, filter);
    const out = new Uint8Array(curW * outHeight * channels);
    const stride = curW * channels;
    for (let yy = 0; yy < outHeight; yy++) {
      const ymin = bounds[yy * 2];
      const count = bounds[yy * 2 + 1];
      const kOff = yy * ksize;
      for (let i = 0; i < stride; i++) {
        let acc = HALF;
        for (let y = 0; y < count; y++) acc += cur[(y + ymin) * stride + i] * weights[kOff + y];
        out[yy * stride + i] = clip8(acc);
      }
    }
    cur = out;
  }
  return cur === src ? src.slice() : cur;
}
