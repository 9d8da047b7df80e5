// owned by H11
import path from 'node:path';
import { expectImage } from '../../server/image/imageIO';
import { ClipScorer } from '../../server/scoring/clipScorer';
import { parsePlaceholderList } from '../../server/scoring/placeholderText';
import { writeScoresFile } from '../../server/scoring/scoresFile';
import { defineNode } from '../../server/engine/nodeDefinition';

function expectScorer(value: unknown): ClipScorer {
  if (value instanceof ClipScorer) return value;
  throw new TypeError('input "clip_scorer" is not a CLIP_SCORER; connect a "Load CLIP for Scoring" node');
}

/**
 * CLIP-I (generated vs reference images) and CLIP-T (generated images vs the prompt without its
 * placeholder), shown on the node and kept as `scores_00001_.json` in output/.
 */
export const clipScore = defineNode({
  type: 'CLIPScore',
  displayName: 'CLIP Score',
  category: 'scoring',
  description:
    'Scores generated images: CLIP-I is the mean CLIP cosine similarity over all (generated, reference) image ' +
    'pairs; CLIP-T the mean similarity of each generated image to the prompt with the placeholder removed ' +
    '("a photo of <cat-toy> on the beach" is scored as "a photo of on the beach").',
  outputNode: true,
  inputs: {
    required: {
      clip_scorer: ['CLIP_SCORER'],
      images: ['IMAGE', { tooltip: 'The generated images.' }],
      reference_images: ['IMAGE', { tooltip: 'The training images of the concept.' }],
      prompt: [
        'STRING',
        {
          multiline: true,
          default: '',
          tooltip: 'The prompt the images were sampled with, placeholder included.',
        },
      ],
    },
    optional: {
      placeholder: [
        'STRING',
        {
          default: '',
          tooltip:
            'Placeholder token(s) to remove from the prompt, e.g. "<cat-toy>". Empty: every <…> token and embedding:name is removed.',
        },
      ],
      filename_prefix: [
        'STRING',
        { default: 'scores', tooltip: 'Name of the JSON file in output/; may include subfolders.' },
      ],
    },
  },
  outputs: [
    { type: 'FLOAT', name: 'clip_i' },
    { type: 'FLOAT', name: 'clip_t' },
  ],
  execute: async (inputs, ctx) => {
    const scorer = expectScorer(inputs.clip_scorer);
    const images = expectImage(inputs.images, 'images');
    const reference = expectImage(inputs.reference_images, 'reference_images');
    const prompt = String(inputs.prompt ?? '');
    const placeholders = parsePlaceholderList(String(inputs.placeholder ?? ''));
    const scores = await scorer.score({ generated: images, reference, prompt, placeholders });
    const file = await writeScoresFile(ctx.dirs.output, String(inputs.filename_prefix ?? 'scores'), {
      clip_i: scores.clipI,
      clip_t: scores.clipT,
      prompt,
      scored_prompt: scores.scoredPrompt,
      removed_placeholders: scores.removed,
      clip_model: path.basename(scorer.dir),
      images: images.shape[0],
      reference_images: reference.shape[0],
      per_image: scores.perImage.map((s) => ({ clip_i: s.clipI, clip_t: s.clipT })),
      prompt_id: ctx.promptId,
      node: ctx.nodeId,
      created: new Date().toISOString(),
    });
    return {
      outputs: [scores.clipI, scores.clipT],
      ui: { clip_i: [scores.clipI], clip_t: [scores.clipT], files: [file] },
    };
  },
});
