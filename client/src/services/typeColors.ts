/**
 * Colours of links and slots by data type (ComfyUI's palette for the shared types, so graphs look familiar;
 * our own types added). One table: a new type gets its colour here.
 */
export const TYPE_COLORS: Readonly<Record<string, string>> = {
  MODEL: '#B39DDB',
  CLIP: '#FFD500',
  VAE: '#FF6E6E',
  CONDITIONING: '#FFA931',
  LATENT: '#FF9CF9',
  IMAGE: '#64B5F6',
  MASK: '#81C784',
  CLIP_VISION: '#A8DADC',
  CLIP_VISION_OUTPUT: '#AD7452',
  EMBEDDING: '#4DD0E1',
  SCORES: '#F06292',
  INT: '#7FA8C9',
  FLOAT: '#8FBCBB',
  STRING: '#A3BE8C',
  BOOLEAN: '#D08770',
};

/** Colour for a slot/link type; unknown types get a stable colour derived from the name. */
export function colorForType(type: string): string {
  const known = TYPE_COLORS[type];
  if (known) return known;
  let hash = 0;
  for (const ch of type) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360}, 55%, 65%)`;
}
