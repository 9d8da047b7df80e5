import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../sd/tokenizer/clipTokenizer';
import { WorldRng } from '../../world';
import { drawTimestep, STAGE_DEPENDENCIES, TOY_RECIPE } from './toyRecipe';
import { stageRecipeKey } from './toyStage';
import { toyTextConfig } from './toyConfigs';
import { TOY_WORDS, toyVocabulary } from './toyVocabulary';
import { captionPositives, nhwcToSignedNchw, toyCaptionIds, worldBatch } from './worldBatches';

describe('toy recipe parts', () => {
  it('the vocabulary makes every world word one token and matches the text config', () => {
    const tokenizer = new ClipTokenizer(toyVocabulary());
    for (const word of TOY_WORDS) expect(tokenizer.tokenize(word), word).toHaveLength(1);
    const config = toyTextConfig();
    expect([tokenizer.size, tokenizer.bosId, tokenizer.eosId]).toEqual([
      config.vocab_size,
      config.bos_token_id,
      config.eos_token_id,
    ]);
    expect(Array.from(toyCaptionIds(['a red shape']).slice(0, 6))).toEqual([
      config.bos_token_id,
      ...tokenizer.tokenize('a red shape'),
      config.eos_token_id,
      config.eos_token_id,
    ]);
  });

  it('a stage key changes with its settings and with what it depends on, and only then', () => {
    const clip = stageRecipeKey('text-clip', TOY_RECIPE.textClip, STAGE_DEPENDENCIES.clip());
    expect(stageRecipeKey('text-clip', TOY_RECIPE.textClip, STAGE_DEPENDENCIES.clip())).toBe(clip);
    expect(
      stageRecipeKey('text-clip', { ...TOY_RECIPE.textClip, lr: 1 }, STAGE_DEPENDENCIES.clip()),
    ).not.toBe(clip);
    expect(stageRecipeKey('text-clip', TOY_RECIPE.textClip, '')).not.toBe(clip);
    expect(STAGE_DEPENDENCIES.unet(0.5, 'text-a')).not.toBe(STAGE_DEPENDENCIES.unet(0.25, 'text-a'));
    expect(STAGE_DEPENDENCIES.unet(0.5, 'text-a')).not.toBe(STAGE_DEPENDENCIES.unet(0.5, 'text-b'));
  });

  it('batches are a function of (seed, step): same step same batch, shape-only captions at the asked rate', () => {
    const a = worldBatch(7, 3, 16, 'scoring', { shapeOnlyRate: 0.5 });
    const b = worldBatch(7, 3, 16, 'scoring', { shapeOnlyRate: 0.5 });
    expect(a.captions).toEqual(b.captions);
    expect(Array.from(a.images)).toEqual(Array.from(b.images));
    expect(worldBatch(7, 4, 16, 'scoring').captions).not.toEqual(a.captions);
    const many = Array.from({ length: 20 }, (_, step) =>
      worldBatch(9, step, 32, 'generator', { shapeOnlyRate: 0.5 }),
    ).flatMap((x) => x.samples.map((s) => ({ caption: s.caption, shape: s.scene.shape })));
    const shapeOnly = many.filter((s) =>
      /^a (shape|circle|square|triangle|star|cross|heart)$/.test(s.caption),
    );
    expect(shapeOnly.length / many.length).toBeGreaterThan(0.4);
    expect(many.every((s) => !s.caption.includes('ring'))).toBe(true);
  });

  it('a phase can name the named kinds more often; the images stay the same, the ring stays unnamed', () => {
    const named = (rate?: number) =>
      Array.from({ length: 20 }, (_, step) =>
        worldBatch(11, step, 32, 'generator', { shapeNameRate: rate }),
      ).flatMap((b) => b.samples.filter((s) => s.scene.shape !== 'ring'));
    const share = (samples: ReturnType<typeof named>) =>
      samples.filter((s) => s.caption.split(' ').includes(s.scene.shape)).length / samples.length;
    expect(share(named())).toBeCloseTo(0.7, 1);
    expect(share(named(0.95))).toBeGreaterThan(0.92);
    expect(share(named(0))).toBe(0);
    expect(named(0.95).map((s) => s.scene)).toEqual(named().map((s) => s.scene));
    expect(Array.from(worldBatch(11, 0, 8, 'generator', { shapeNameRate: 0.95 }).images)).toEqual(
      Array.from(worldBatch(11, 0, 8, 'generator').images),
    );
  });

  it('a phase can drop the shape word from a share of captions; the other draws stay as they were', () => {
    const batches = (captions: Parameters<typeof worldBatch>[4]) =>
      Array.from({ length: 20 }, (_, step) => worldBatch(13, step, 32, 'scoring', captions));
    const plain = batches({ shapeOnlyRate: 0.3 });
    const dropped = batches({ shapeOnlyRate: 0.3, shapelessRate: 0.3 });
    const samples = dropped.flatMap((b) => b.samples);
    const without = samples.filter((s) => !s.caption.split(' ').includes(s.scene.shape));
    expect(without.length / samples.length).toBeGreaterThan(0.25);
    expect(without.length / samples.length).toBeLessThan(0.35);
    expect(without.some((s) => s.caption === 'a')).toBe(true);
    expect(without.every((s) => !/\ban on\b|^an$|\bshape\b/.test(s.caption))).toBe(true);
    // the same scenes; every caption keeps its words but the shape's (shape-only ones included)
    expect(dropped.map((b) => b.samples.map((s) => s.scene))).toEqual(
      plain.map((b) => b.samples.map((s) => s.scene)),
    );
    const otherWords = (caption: string, shape: string) =>
      caption
        .split(' ')
        .slice(1)
        .filter((w) => w !== shape);
    plain
      .flatMap((b) => b.samples)
      .forEach((s, i) => {
        expect(otherWords(samples[i]!.caption, s.scene.shape)).toEqual(otherWords(s.caption, s.scene.shape));
      });
  });

  it('positives share each row between identical captions', () => {
    expect(Array.from(captionPositives(['a', 'b', 'a']))).toEqual([0.5, 0, 0.5, 0, 1, 0, 0.5, 0, 0.5]);
  });

  it('HWC images in [0, 1] become NCHW in [-1, 1]', () => {
    // one 1×1 image: r=0, g=0.5, b=1
    expect(Array.from(nhwcToSignedNchw(Float32Array.of(0, 0.5, 1), 1, 1))).toEqual([-1, 0, 1]);
  });

  it('timesteps: uniform covers [0, n) evenly; logit-normal stays in range and favours the middle', () => {
    const draw = (kind: 'uniform' | 'logit-normal') => {
      const rng = new WorldRng(5, 1);
      return Array.from({ length: 20000 }, () => drawTimestep(rng, 1000, kind));
    };
    const middle = (ts: number[]) => ts.filter((t) => t >= 250 && t < 750).length / ts.length;
    const uniform = draw('uniform');
    const logit = draw('logit-normal');
    for (const t of [...uniform, ...logit]) expect(Number.isInteger(t) && t >= 0 && t < 1000).toBe(true);
    expect(middle(uniform)).toBeCloseTo(0.5, 1);
    // P(|z| < logit(0.75) = 1.0986) for z ~ N(0, 1) is 0.728
    expect(middle(logit)).toBeCloseTo(0.728, 1);
  });
});
