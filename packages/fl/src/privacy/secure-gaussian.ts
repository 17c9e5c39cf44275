/** Where privacy noise comes from: one standard normal draw per call. */
export interface GaussianSource {
  normal(): number;
}

/**
 * Standard normals from the platform's CSPRNG (Web Crypto's getRandomValues, in browsers and in Node), by
 * Box-Muller on 53-bit uniforms. DP noise must not be reproducible from anything public: a seeded generator
 * whose seed is known lets anyone regenerate the noise and subtract it. Random bytes are fetched in blocks
 * (getRandomValues gives at most 64 kB per call).
 */
export class SecureGaussian implements GaussianSource {
  private readonly words = new Uint32Array(16_384);
  private next = this.words.length;
  private spare: number | null = null;

  private uint32(): number {
    if (this.next === this.words.length) {
      globalThis.crypto.getRandomValues(this.words);
      this.next = 0;
    }
    return this.words[this.next++];
  }

  /** Uniform in (0, 1) with 53 random bits; never 0, so the logarithm below is finite. */
  private uniform(): number {
    for (;;) {
      const u = ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992;
      if (u > 0) return u;
    }
  }

  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}
