/** Short notices in the corner: errors stay until dismissed, the rest fade after a few seconds. */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  detail?: string;
}

export const useToastStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([]);
  let nextId = 1;

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  /** Shows a toast; returns its id. */
  function show(kind: ToastKind, title: string, detail?: string): number {
    const id = nextId++;
    toasts.value = [...toasts.value.slice(-4), { id, kind, title, detail }];
    if (kind !== 'error') setTimeout(() => dismiss(id), 4000);
    return id;
  }

  /** Shows an error from anything thrown. */
  function error(title: string, err: unknown): number {
    return show('error', title, err instanceof Error ? err.message : String(err));
  }

  return { toasts, show, error, dismiss };
});
