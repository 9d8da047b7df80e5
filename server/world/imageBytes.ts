/** Conversion of the world's float HWC images to 8-bit pixels (for PNG encoders, previews, datasets). */

/** 8-bit RGB (channels 3) or RGBA (channels 4, alpha 255) of an HWC float RGB image in [0, 1]. */
export function toImageBytes(rgb: Float32Array, channels: 3 | 4 = 3): Uint8Array {
  if (rgb.length % 3 !== 0) {
    throw new Error(`RGB image of ${rgb.length} values is not whole pixels; pass HWC data of length h·w·3`);
  }
  const pixels = rgb.length / 3;
  const out = new Uint8Array(pixels * channels);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) {
      const v = rgb[3 * i + c];
      out[channels * i + c] = Math.round((v > 1 ? 1 : v > 0 ? v : 0) * 255);
    }
    if (channels === 4) out[4 * i + 3] = 255;
  }
  return out;
}
