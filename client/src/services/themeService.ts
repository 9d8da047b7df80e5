/**
 * Applies the colour theme: the page's CSS variables (theme.css, by `data-theme` on <html>) and the
 * colours litegraph draws the canvas, nodes and widgets with (it reads them from globals at draw time).
 */
import { LiteGraph } from '@comfyorg/litegraph';
import { watch } from 'vue';
import { graphHost } from '../canvas/graphHost';
import { useSettingsStore, type ThemeName } from '../stores/settingsStore';

interface CanvasPalette {
  background: string;
  node: string;
  nodeBg: string;
  title: string;
  selectedTitle: string;
  text: string;
  widgetBg: string;
  widgetOutline: string;
  widgetText: string;
  widgetSecondaryText: string;
}

const PALETTES: Readonly<Record<ThemeName, CanvasPalette>> = {
  dark: {
    background: '#1b1b1d',
    node: '#353535',
    nodeBg: '#282828',
    title: '#999999',
    selectedTitle: '#ffffff',
    text: '#aaaaaa',
    widgetBg: '#222222',
    widgetOutline: '#666666',
    widgetText: '#dddddd',
    widgetSecondaryText: '#999999',
  },
  light: {
    background: '#eef0f3',
    node: '#d4d7dd',
    nodeBg: '#fbfbfc',
    title: '#30343b',
    selectedTitle: '#000000',
    text: '#30343b',
    widgetBg: '#eceef2',
    widgetOutline: '#9aa1ab',
    widgetText: '#1f2328',
    widgetSecondaryText: '#4a515c',
  },
};

/** litegraph's own grid image, drawn in the dark theme only. */
let darkGrid = '';

export function applyTheme(theme: ThemeName): void {
  document.documentElement.dataset.theme = theme;
  const p = PALETTES[theme];
  Object.assign(LiteGraph, {
    NODE_DEFAULT_COLOR: p.node,
    NODE_DEFAULT_BGCOLOR: p.nodeBg,
    NODE_TITLE_COLOR: p.title,
    NODE_SELECTED_TITLE_COLOR: p.selectedTitle,
    NODE_TEXT_COLOR: p.text,
    WIDGET_BGCOLOR: p.widgetBg,
    WIDGET_OUTLINE_COLOR: p.widgetOutline,
    WIDGET_TEXT_COLOR: p.widgetText,
    WIDGET_SECONDARY_TEXT_COLOR: p.widgetSecondaryText,
  });
  const canvas = graphHost.canvas;
  canvas.clear_background_color = p.background;
  // the canvas copies the title colour when created
  canvas.node_title_color = p.title;
  canvas.background_image = theme === 'dark' ? darkGrid : '';
  canvas.setDirty(true, true);
}

/** Applies the stored theme and follows later changes (call once the canvas exists). */
export function installTheme(): void {
  darkGrid = graphHost.canvas.background_image ?? '';
  const settings = useSettingsStore();
  applyTheme(settings.theme);
  watch(
    () => settings.theme,
    (theme) => applyTheme(theme),
  );
}
