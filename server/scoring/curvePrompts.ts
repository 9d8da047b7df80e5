/**
 * The prompt list of a checkpoint curve: one prompt a line, `{token}` (or the learned token itself) where
 * the token goes, so one list works for whatever token the checkpoint folder holds.
 */
import { promptWithoutPlaceholders } from './placeholderText';

/** Stands for the learned token in a curve prompt. */
export const TOKEN_SLOT = '{token}';

/** The non-empty lines of a multiline prompt list, trimmed. */
export function promptLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/**
 * Every prompt of `text` with `{token}` replaced by `token`. Throws when the list is empty or a prompt
 * names neither `{token}` nor the token (it would not test the embedding at all).
 */
export function curvePrompts(text: string, token: string): string[] {
  const lines = promptLines(text);
  if (lines.length === 0)
    throw new Error(
      `prompts is empty; write one prompt a line with ${TOKEN_SLOT} where the learned token goes, e.g. "a photo of ${TOKEN_SLOT} on a beach"`,
    );
  return lines.map((line) => {
    const prompt = line.replaceAll(TOKEN_SLOT, token);
    if (promptWithoutPlaceholders(prompt, [token]).removed.length === 0)
      throw new Error(
        `prompt "${line}" names neither ${TOKEN_SLOT} nor "${token}", so it does not use the learned token; write ${TOKEN_SLOT} where the token goes`,
      );
    return prompt;
  });
}
