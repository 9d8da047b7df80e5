import path from 'node:path';
import { defineNode } from '../../server/engine/nodeDefinition';
import { expectEmbeddings, expectFrozenModel } from '../nodeValues';
import { embeddingStamps, encodePrompt } from '../../server/sd/model/promptEncoding';

/** Encodes a prompt with the checkpoint's tokenizer and text encoder; `embedding:NAME` and EMBEDDING tokens work. */
export const clipTextEncode = defineNode({
  type: 'CLIPTextEncode',
  displayName: 'CLIP Text Encode (Prompt)',
  category: 'conditioning',
  description:
    'Encodes a prompt. Use embedding:NAME for a file in models/embeddings/, or connect an EMBEDDING and write its token (e.g. <cat-toy>).',
  inputs: {
    required: {
      text: ['STRING', { multiline: true, tooltip: 'The prompt.' }],
      clip: ['CLIP', { tooltip: 'From Load Checkpoint.' }],
    },
    optional: {
      embedding: ['EMBEDDING', { tooltip: 'Learned tokens the prompt may use.' }],
    },
  },
  outputs: [{ type: 'CONDITIONING' }],
  // an `embedding:NAME` file replaced on disk must not reuse the cached conditioning
  isChanged: (inputs, ctx) =>
    embeddingStamps(String(inputs.text ?? ''), path.join(ctx.dirs.models, 'embeddings')),
  execute: async (inputs, ctx) => {
    const model = expectFrozenModel(inputs.clip, 'clip');
    const conditioning = await encodePrompt(model, String(inputs.text), {
      embeddings: expectEmbeddings(inputs.embedding, 'embedding'),
      embeddingsDir: path.join(ctx.dirs.models, 'embeddings'),
    });
    return { outputs: [conditioning] };
  },
});
