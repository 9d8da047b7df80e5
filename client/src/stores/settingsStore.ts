/** The studio's settings (for now the colour theme), kept in localStorage across reloads. */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { z } from 'zod';

export const THEMES = ['dark', 'light'] as const;
export type ThemeName = (typeof THEMES)[number];

const STORAGE_KEY = 'inversion-studio.settings';
const settingsSchema = z.object({ theme: z.enum(THEMES).catch('dark') });

function stored(): z.infer<typeof settingsSchema> {
  try {
    return settingsSchema.parse(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}'));
  } catch {
    return { theme: 'dark' };
  }
}

export const useSettingsStore = defineStore('settings', () => {
  const theme = ref<ThemeName>(stored().theme);
  const dialogOpen = ref(false);
  watch(theme, (value) => localStorage.setItem(STORAGE_KEY, JSON.stringify({ theme: value })));
  return { theme, dialogOpen };
});
