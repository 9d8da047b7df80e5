/** A finished stage's weights on disk (safetensors, the stage's recipe key in the metadata), for resuming a recipe. */
import fs from 'node:fs';
import { SafetensorsFile } from '../../sd/weights/safetensorsFile';
import { writeSafetensors } from '../../sd/weights/safetensorsWriter';
import type { Weights } from './toyRecipe';

/** The weights saved for `recipe`, or undefined when the file is missing or belongs to another recipe. */
export function readStageWeights(
  file: string,
  recipe: string,
): { weights: Weights; meta: Record<string, string> } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const st = SafetensorsFile.open(file);
  try {
    if (st.metadata.recipe !== recipe) return undefined;
    const weights: Weights = new Map();
    for (const name of st.names()) weights.set(name, { data: st.readFloat32(name), dims: st.shape(name) });
    return { weights, meta: { ...st.metadata } };
  } finally {
    st.close();
  }
}

/** Saves a finished stage atomically. */
export async function writeStageWeights(
  file: string,
  recipe: string,
  weights: Weights,
  meta: Record<string, string>,
): Promise<void> {
  const entries = [...weights].map(([name, w]) => ({
    name,
    dtype: 'F32' as const,
    shape: w.dims,
    data: w.data,
  }));
  await writeSafetensors(file, entries, { ...meta, recipe });
}
