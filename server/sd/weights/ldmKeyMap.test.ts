import { describe, expect, it } from 'vitest';
import { IGNORED, LdmKeyMap, type Component } from './ldmKeyMap';
import { ldmLayoutFromConfigs } from './ldmCheckpointWriter';
import { ldmLayoutFromNames } from './ldmLayout';
import { clipTextParameterShapes, unetParameterShapes, vaeParameterShapes } from './parameterShapes';
import { ldmShapeIndex, SD15, SD21 } from './realSizeFixtures.test-support';

const sd15 = new LdmKeyMap(ldmLayoutFromNames(ldmShapeIndex('sd1', SD15).names(), 'sd1'));
const sd21 = new LdmKeyMap(ldmLayoutFromNames(ldmShapeIndex('sd2', SD21).names(), 'sd2'));

describe('parameter tables at full size', () => {
  it('have the parameter counts of the published SD 1.5 / 2.1 diffusers weights', () => {
    expect(unetParameterShapes(SD15.unet).size).toBe(686);
    expect(vaeParameterShapes(SD15.vae).size).toBe(248);
    expect(clipTextParameterShapes(SD15.textEncoder).size).toBe(196);
    expect(unetParameterShapes(SD21.unet).size).toBe(686);
    expect(clipTextParameterShapes(SD21.textEncoder).size).toBe(372);
    expect(unetParameterShapes(SD21.unet).get('down_blocks.1.attentions.0.proj_in.weight')).toEqual([
      640, 640,
    ]);
    expect(unetParameterShapes(SD15.unet).get('up_blocks.1.resnets.0.conv1.weight')).toEqual([
      1280, 2560, 3, 3,
    ]);
  });

  it('give full-size checkpoints the key counts of real SD 1.5 / 2.1 single files', () => {
    expect(ldmShapeIndex('sd1', SD15).names().length).toBe(686 + 248 + 196);
    // 24 OpenCLIP blocks × 12 tensors + token/positional embedding, ln_final ×2, text_projection, logit_scale
    expect(
      ldmShapeIndex('sd2', SD21)
        .names()
        .filter((k) => k.startsWith('cond_stage_model.')).length,
    ).toBe(24 * 12 + 6);
  });
});

describe('SD 1.5 layout (layers_per_block 2)', () => {
  it('reads the structure from the key names', () => {
    expect(sd15.layout.unet).toEqual({
      layersPerBlock: [2, 2, 2, 2],
      downAttention: [true, true, true, false],
      upAttention: [false, true, true, true],
      midAttention: true,
    });
    expect(sd15.layout.vae).toEqual({ levels: 4, layersPerBlock: 2 });
    expect(sd15.layout.textLayers).toBe(12);
  });

  it.each([
    [
      'model.diffusion_model.input_blocks.1.0.in_layers.0.weight',
      'unet',
      'down_blocks.0.resnets.0.norm1.weight',
    ],
    [
      'model.diffusion_model.input_blocks.2.1.transformer_blocks.0.attn1.to_q.weight',
      'unet',
      'down_blocks.0.attentions.1.transformer_blocks.0.attn1.to_q.weight',
    ],
    ['model.diffusion_model.input_blocks.3.0.op.weight', 'unet', 'down_blocks.0.downsamplers.0.conv.weight'],
    [
      'model.diffusion_model.input_blocks.4.0.skip_connection.bias',
      'unet',
      'down_blocks.1.resnets.0.conv_shortcut.bias',
    ],
    [
      'model.diffusion_model.input_blocks.11.0.out_layers.3.weight',
      'unet',
      'down_blocks.3.resnets.1.conv2.weight',
    ],
    ['model.diffusion_model.time_embed.2.bias', 'unet', 'time_embedding.linear_2.bias'],
    [
      'model.diffusion_model.middle_block.1.proj_out.weight',
      'unet',
      'mid_block.attentions.0.proj_out.weight',
    ],
    [
      'model.diffusion_model.middle_block.2.emb_layers.1.weight',
      'unet',
      'mid_block.resnets.1.time_emb_proj.weight',
    ],
    ['model.diffusion_model.output_blocks.2.1.conv.weight', 'unet', 'up_blocks.0.upsamplers.0.conv.weight'],
    ['model.diffusion_model.output_blocks.3.1.norm.weight', 'unet', 'up_blocks.1.attentions.0.norm.weight'],
    ['model.diffusion_model.output_blocks.5.2.conv.bias', 'unet', 'up_blocks.1.upsamplers.0.conv.bias'],
    [
      'model.diffusion_model.output_blocks.11.1.transformer_blocks.0.norm1.bias',
      'unet',
      'up_blocks.3.attentions.2.transformer_blocks.0.norm1.bias',
    ],
    ['model.diffusion_model.out.2.weight', 'unet', 'conv_out.weight'],
    [
      'first_stage_model.decoder.up.0.block.0.nin_shortcut.weight',
      'vae',
      'decoder.up_blocks.3.resnets.0.conv_shortcut.weight',
    ],
    [
      'first_stage_model.decoder.up.3.upsample.conv.weight',
      'vae',
      'decoder.up_blocks.0.upsamplers.0.conv.weight',
    ],
    [
      'first_stage_model.encoder.down.2.downsample.conv.bias',
      'vae',
      'encoder.down_blocks.2.downsamplers.0.conv.bias',
    ],
    [
      'first_stage_model.encoder.mid.attn_1.norm.weight',
      'vae',
      'encoder.mid_block.attentions.0.group_norm.weight',
    ],
    ['first_stage_model.encoder.norm_out.bias', 'vae', 'encoder.conv_norm_out.bias'],
    ['first_stage_model.post_quant_conv.weight', 'vae', 'post_quant_conv.weight'],
    [
      'cond_stage_model.transformer.text_model.encoder.layers.11.mlp.fc2.bias',
      'text_encoder',
      'text_model.encoder.layers.11.mlp.fc2.bias',
    ],
  ] as const)('%s ↔ %s/%s', (ldm, component, key) => {
    expect(sd15.toDiffusers(ldm)).toEqual([{ component, key }]);
    expect(sd15.toLdm(component as Component, key)).toEqual({ key: ldm });
  });

  it('squeezes VAE attention 1×1 convs to Linear weights and back', () => {
    expect(sd15.toDiffusers('first_stage_model.decoder.mid.attn_1.proj_out.weight')).toEqual([
      { component: 'vae', key: 'decoder.mid_block.attentions.0.to_out.0.weight', squeeze: true },
    ]);
    expect(sd15.toDiffusers('first_stage_model.decoder.mid.attn_1.q.bias')).toEqual([
      { component: 'vae', key: 'decoder.mid_block.attentions.0.to_q.bias' },
    ]);
    expect(sd15.toLdm('vae', 'encoder.mid_block.attentions.0.to_k.weight')).toEqual({
      key: 'first_stage_model.encoder.mid.attn_1.k.weight',
      unsqueeze: true,
    });
  });

  it('reads text keys saved without the text_model level', () => {
    expect(sd15.toDiffusers('cond_stage_model.transformer.encoder.layers.0.mlp.fc1.weight')).toEqual([
      { component: 'text_encoder', key: 'text_model.encoder.layers.0.mlp.fc1.weight' },
    ]);
  });

  it.each([
    'model_ema.decay',
    'model_ema.diffusion_modelinput_blocks00weight',
    'alphas_cumprod',
    'cond_stage_model.transformer.text_model.embeddings.position_ids',
    'first_stage_model.loss.logvar',
  ])('ignores the non-model key %s', (key) => {
    expect(sd15.toDiffusers(key)).toBe(IGNORED);
  });

  it.each([
    'model.diffusion_model.nonsense.weight',
    'first_stage_model.decoder.mid.attn_1.qq.weight',
    'something.else',
  ])('does not map %s', (key) => expect(sd15.toDiffusers(key)).toBeUndefined());
});

describe('SD 2.1 layout (OpenCLIP text tower)', () => {
  it('splits fused q/k/v into three row blocks', () => {
    expect(sd21.toDiffusers('cond_stage_model.model.transformer.resblocks.22.attn.in_proj_weight')).toEqual(
      ['q', 'k', 'v'].map((x, index) => ({
        component: 'text_encoder',
        key: `text_model.encoder.layers.22.self_attn.${x}_proj.weight`,
        part: { index, of: 3 },
      })),
    );
    expect(sd21.toLdm('text_encoder', 'text_model.encoder.layers.3.self_attn.v_proj.bias')).toEqual({
      key: 'cond_stage_model.model.transformer.resblocks.3.attn.in_proj_bias',
      part: { index: 2, of: 3 },
    });
  });

  it.each([
    ['cond_stage_model.model.positional_embedding', 'text_model.embeddings.position_embedding.weight'],
    ['cond_stage_model.model.token_embedding.weight', 'text_model.embeddings.token_embedding.weight'],
    ['cond_stage_model.model.ln_final.bias', 'text_model.final_layer_norm.bias'],
    [
      'cond_stage_model.model.transformer.resblocks.0.mlp.c_fc.weight',
      'text_model.encoder.layers.0.mlp.fc1.weight',
    ],
    [
      'cond_stage_model.model.transformer.resblocks.7.attn.out_proj.bias',
      'text_model.encoder.layers.7.self_attn.out_proj.bias',
    ],
    [
      'cond_stage_model.model.transformer.resblocks.22.ln_2.weight',
      'text_model.encoder.layers.22.layer_norm2.weight',
    ],
  ])('%s ↔ text_encoder/%s', (ldm, key) => {
    expect(sd21.toDiffusers(ldm)).toEqual([{ component: 'text_encoder', key }]);
    expect(sd21.toLdm('text_encoder', key)).toEqual({ key: ldm });
  });

  it.each([
    'cond_stage_model.model.transformer.resblocks.23.ln_1.weight',
    'cond_stage_model.model.transformer.resblocks.23.attn.in_proj_weight',
    'cond_stage_model.model.text_projection',
    'cond_stage_model.model.logit_scale',
  ])('ignores %s (unused by SD 2.x)', (key) => expect(sd21.toDiffusers(key)).toBe(IGNORED));
});

describe('both directions agree on every weight', () => {
  it.each([
    ['sd1', SD15],
    ['sd2', SD21],
  ] as const)(
    '%s: diffusers → ldm → diffusers is the identity, and ldm keys are distinct',
    (family, configs) => {
      const map = new LdmKeyMap(ldmLayoutFromConfigs(family, configs));
      const seen = new Map<string, number>();
      const tables: Array<[Component, Map<string, readonly number[]>]> = [
        ['unet', unetParameterShapes(configs.unet)],
        ['vae', vaeParameterShapes(configs.vae)],
        ['text_encoder', clipTextParameterShapes(configs.textEncoder)],
      ];
      let checked = 0;
      for (const [component, table] of tables) {
        for (const key of table.keys()) {
          const ldm = map.toLdm(component, key);
          expect(ldm, `${component}/${key}`).toBeDefined();
          const back = map.toDiffusers(ldm!.key);
          expect(Array.isArray(back)).toBe(true);
          const target = (back as Array<{ component: string; key: string }>)[ldm!.part?.index ?? 0]!;
          expect(`${target.component}/${target.key}`).toBe(`${component}/${key}`);
          seen.set(ldm!.key, (seen.get(ldm!.key) ?? 0) + 1);
          checked++;
        }
      }
      // every diffusers parameter counted above: UNet 686 + VAE 248 + text encoder (CLIP ViT-L, 12 layers × 16
      // tensors + 4 = 196; OpenCLIP-H as SD 2.x keeps it, 23 layers × 16 + 4 = 372)
      expect(checked).toBe(686 + 248 + (family === 'sd1' ? 196 : 372));
      // only fused q/k/v tensors are shared, by exactly three weights each
      for (const [key, count] of seen) expect(count, key).toBe(/in_proj_(weight|bias)$/.test(key) ? 3 : 1);
    },
  );
});
