/**
 * Questions the page asks before it does something that cannot be taken back without the person's say,
 * e.g. replacing unsaved edits. One question at a time, answered in ConfirmDialog.vue.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface ConfirmQuestion {
  title: string;
  message: string;
  confirmLabel: string;
}

export const useConfirmStore = defineStore('confirm', () => {
  const question = ref<ConfirmQuestion | null>(null);
  let answer: ((yes: boolean) => void) | undefined;

  /** Shows `q`; resolves true when confirmed, false when cancelled (or replaced by a newer question). */
  function ask(q: ConfirmQuestion): Promise<boolean> {
    answer?.(false);
    question.value = q;
    return new Promise((resolve) => {
      answer = resolve;
    });
  }

  function respond(yes: boolean): void {
    const resolve = answer;
    answer = undefined;
    question.value = null;
    resolve?.(yes);
  }

  return { question, ask, respond };
});
