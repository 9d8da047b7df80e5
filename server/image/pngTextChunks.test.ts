import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readPngTextChunks } from '../../protocol/pngTextChunks';
import { insertPngTextChunks, textChunk } from './pngTextChunks';

describe('PNG text chunks', () => {
  it('writes tEXt for Latin-1 and iTXt otherwise, after IHDR, with valid CRCs (sharp still decodes)', async () => {
    const png = await sharp(Buffer.from([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } })
      .png()
      .toBuffer();
    const withText = insertPngTextChunks(png, { prompt: '{"a":"ü"}', workflow: '{"t":"猫"}' });
    const types: string[] = [];
    for (let offset = 8; offset < withText.length;) {
      const length = Buffer.from(withText.subarray(offset, offset + 4)).readUInt32BE(0);
      types.push(Buffer.from(withText.subarray(offset + 4, offset + 8)).toString('latin1'));
      offset += 12 + length;
    }
    expect(types.slice(0, 3)).toEqual(['IHDR', 'tEXt', 'iTXt']);
    expect(readPngTextChunks(withText)).toEqual({ prompt: '{"a":"ü"}', workflow: '{"t":"猫"}' });
    const { data } = await sharp(withText).raw().toBuffer({ resolveWithObject: true });
    expect([...data]).toEqual([1, 2, 3]);
  });

  it('reads zTXt and compressed iTXt written by other tools', async () => {
    const png = await sharp(Buffer.from([0, 0, 0]), { raw: { width: 1, height: 1, channels: 3 } })
      .png()
      .toBuffer();
    // zTXt: keyword \0 method; iTXt: keyword \0 flag=1 method \0-terminated language and translated keyword.
    const zTxt = Buffer.concat([Buffer.from('prompt\0\0', 'latin1'), deflateSync(Buffer.from('{"z":1}'))]);
    const iTxt = Buffer.concat([
      Buffer.from('workflow\0\x01\0en\0\0', 'latin1'),
      deflateSync(Buffer.from('{"w":"é"}')),
    ]);
    const chunk = (type: string, body: Buffer): Buffer => {
      const out = Buffer.alloc(12 + body.length);
      out.writeUInt32BE(body.length, 0);
      out.write(type, 4, 'latin1');
      body.copy(out, 8);
      out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
      return out;
    };
    const withChunks = Buffer.concat([
      png.subarray(0, 33),
      chunk('zTXt', zTxt),
      chunk('iTXt', iTxt),
      png.subarray(33),
    ]);
    expect(readPngTextChunks(withChunks)).toEqual({ prompt: '{"z":1}', workflow: '{"w":"é"}' });
  });

  it('rejects bad keywords and non-PNG input', () => {
    expect(() => textChunk('', 'x')).toThrow(/keyword "" must be 1–79 printable Latin-1 characters/);
    expect(() => insertPngTextChunks(Buffer.from('GIF89a'), { a: 'b' })).toThrow(/not a PNG/);
    expect(() => readPngTextChunks(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
  });
});
