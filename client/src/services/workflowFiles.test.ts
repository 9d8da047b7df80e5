import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { workflowFromBytes } from './workflowFiles';

const workflow = {
  last_node_id: 2,
  last_link_id: 1,
  nodes: [
    { id: 1, type: 'LoadImage', widgets_values: ['a.png'] },
    {
      id: 2,
      type: 'SaveImage',
      inputs: [{ name: 'images', type: 'IMAGE', link: 1 }],
      widgets_values: ['out'],
    },
  ],
  links: [[1, 1, 0, 2, 0, 'IMAGE']],
  groups: [],
  config: {},
  extra: {},
  version: 0.4,
};

/** A real PNG (sharp) with tEXt chunks inserted after IHDR, as SaveImage writes them. */
async function pngWithText(entries: Record<string, string>): Promise<Uint8Array> {
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  return insertText(new Uint8Array(png), entries);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function insertText(png: Uint8Array, entries: Record<string, string>): Uint8Array {
  const chunks = Object.entries(entries).map(([k, v]) => {
    const data = new TextEncoder().encode(`${k}\0${v}`);
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode('tEXt'), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  });
  const cut = 8 + 12 + 13; // signature + IHDR chunk
  const parts = [png.subarray(0, cut), ...chunks, png.subarray(cut)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('workflowFromBytes', () => {
  it('reads a UI workflow JSON file', () => {
    const wf = workflowFromBytes('w.json', new TextEncoder().encode(JSON.stringify(workflow)));
    expect(wf.nodes.map((n) => n.type)).toEqual(['LoadImage', 'SaveImage']);
    expect(wf.links).toEqual([[1, 1, 0, 2, 0, 'IMAGE']]);
  });

  it('reads the workflow chunk of a SaveImage PNG', async () => {
    const png = await pngWithText({ prompt: '{}', workflow: JSON.stringify(workflow) });
    expect(workflowFromBytes('out.png', png).nodes).toHaveLength(2);
  });

  it('explains a PNG that only has the API prompt', async () => {
    const png = await pngWithText({ prompt: '{"1":{"class_type":"X","inputs":{}}}' });
    expect(() => workflowFromBytes('p.png', png)).toThrow(
      /p\.png has no "workflow" text chunk \(only an API-format "prompt"\)/,
    );
  });

  it('explains an API-format prompt JSON', () => {
    const api = { '3': { class_type: 'KSampler', inputs: { seed: 1 } } };
    expect(() => workflowFromBytes('api.json', new TextEncoder().encode(JSON.stringify(api)))).toThrow(
      /api\.json is an API-format prompt/,
    );
  });

  it.each([
    ['notes.txt', 'hello', /neither a PNG nor JSON/],
    ['x.json', '{"nodes": 3}', /x\.json is not a UI workflow/],
  ])('rejects %s', (name, text, message) => {
    expect(() => workflowFromBytes(name, new TextEncoder().encode(text))).toThrow(message);
  });
});
