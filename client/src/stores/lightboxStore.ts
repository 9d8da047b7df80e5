/**
 * The in-page image viewer's state: the images of one prompt or node (a thumbnail opens all of them, so
 * ← / → step through the set) and which one is shown.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/** One image the viewer can show: where it loads from, a label, and the file link (undefined for a live preview). */
export interface LightboxImage {
  url: string;
  label: string;
  fileUrl?: string;
}

export const useLightboxStore = defineStore('lightbox', () => {
  const images = ref<LightboxImage[]>([]);
  const index = ref(0);
  const isOpen = computed(() => images.value.length > 0);
  const current = computed(() => images.value[index.value]);

  /** Shows `list[at]`; an empty list leaves the viewer closed. */
  function open(list: LightboxImage[], at = 0): void {
    images.value = [...list];
    index.value = Math.min(Math.max(0, at), Math.max(0, list.length - 1));
  }

  function close(): void {
    images.value = [];
    index.value = 0;
  }

  /** Steps `delta` images, wrapping around at either end. */
  function step(delta: number): void {
    const n = images.value.length;
    if (n > 0) index.value = (((index.value + delta) % n) + n) % n;
  }

  return { images, index, isOpen, current, open, close, step };
});
