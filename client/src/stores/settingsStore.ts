/** The studio's settings (colour theme, minimap), kept in localStorage across reloads. */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { z } from 'zod';

export const THEMES = ['dark', 'light'] as const;
export type ThemeName = (typeof THEMES)[number];

const STORAGE_KEY = 'inversion-studio.settings';
const settingsSchema = z.object({
  theme: z.enum(THEMES).catch('dark'),
  minimap: z.boolean().catch(false),
});
type Settings = z.infer<typeof settingsSchema>;

function stored(): Settings {
  try {
    return settingsSchema.parse(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}'));
  } catch {
    return { theme: 'dark', minimap: false };
  }
}

export const useSettingsStore = defineStore('settings', () => {
  const initial = stored();
  const theme = ref<ThemeName>(initial.theme);
  const minimap = ref(initial.minimap);
  const dialogOpen = ref(false);
  watch([theme, minimap], ([t, m]) =>
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ theme: t, minimap: m } satisfies Settings)),
  );
  return { theme, minimap, dialogOpen };
});
