/**
 * Cheap sampling previews without the VAE: each latent pixel's 4 channels are projected to RGB by a fixed
 * 4×3 matrix (the widely used SD 1.x approximation fitted by Keturn; SD 2.x shares the same VAE latent
 * space), then mapped from [-1, 1] to [0, 1]. One RGB pixel per latent pixel (1/8 of the image size).
 */

/** SD 1.x/2.x latent → RGB factors, rows = latent channels, columns = R, G, B. */
export const SD_LATENT_RGB_FACTORS: readonly (readonly [number, number, number])[] = [
  [0.3512, 0.2297, 0.3227],
  [0.325, 0.4974, 0.235],
  [-0.2829, 0.1762, 0.2721],
  [-0.212, -0.2616, -0.7177],
];

/**
 * Projects latents [n, c, h, w] (as the sampler holds them, i.e. VAE-scaled) to an NHWC RGB batch
 * [n, h, w, 3] in [0, 1].
 */
export function latentToRgbPreview(
  latents: Float32Array,
  shape: readonly number[],
  factors: readonly (readonly number[])[] = SD_LATENT_RGB_FACTORS,
): { data: Float32Array; shape: [number, number, number, 3] } {
  const [n, c, h, w] = shape;
  if (shape.length !== 4 || latents.length !== n * c * h * w) {
    throw new Error(
      `latents have ${latents.length} values, which does not fit shape [${shape.join(', ')}] (NCHW)`,
    );
  }
  if (factors.length !== c || factors.some((row) => row.length !== 3)) {
    throw new Error(`latent RGB factors must be ${c}×3 for ${c} latent channels, got ${factors.length} rows`);
  }
  const plane = h * w;
  const out = new Float32Array(n * plane * 3);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < plane; p++) {
      for (let rgb = 0; rgb < 3; rgb++) {
        let v = 0;
        for (let ch = 0; ch < c; ch++) v += latents[(b * c + ch) * plane + p] * factors[ch][rgb];
        out[(b * plane + p) * 3 + rgb] = Math.min(Math.max((v + 1) / 2, 0), 1);
      }
    }
  }
  return { data: out, shape: [n, h, w, 3] };
}
