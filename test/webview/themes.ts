// VS Code's Dark Modern, Light Modern and High Contrast (dark) colours for the variables the panel and
// @vscode-elements read, and the body class VS Code sets on a webview per theme kind. The webview tests
// (axe per theme) and the README screenshots load the panel with these. VS Code sets the variables on the
// webview's <html> element, so they are declared on html here too (panel.css reads them at :root).

export interface Theme {
  name: 'dark' | 'light' | 'hc';
  bodyClass: string;
  css: string;
}

const FONT = `--vscode-font-family: "DejaVu Sans", system-ui, sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: "DejaVu Sans Mono", monospace;`;

const vars = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `--vscode-${k}: ${v};`).join(' ');

export const DARK: Theme = {
  name: 'dark',
  bodyClass: 'vscode-dark',
  css: `html { ${FONT} ${vars({
    foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d', 'panel-border': '#2b2b2b', focusBorder: '#0078d4',
    'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'testing-iconPassed': '#73c991', 'testing-iconFailed': '#f14c4c',
    'editorWarning-foreground': '#cca700', 'editorInfo-foreground': '#3794ff', errorForeground: '#f85149', 'button-background': '#0078d4', 'button-foreground': '#ffffff',
    'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc',
    'dropdown-border': '#3c3c3c', 'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'textCodeBlock-background': '#2b2b2b',
    'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)', 'inputOption-activeBackground': 'rgba(36, 137, 219, 0.51)', 'inputOption-activeBorder': '#2488db',
    'inputOption-activeForeground': '#ffffff', 'list-hoverBackground': '#2a2d2e', 'settings-dropdownBackground': '#313131',
    'settings-dropdownBorder': '#3c3c3c', 'settings-dropdownForeground': '#cccccc', 'settings-dropdownListBorder': '#454545',
    'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff', 'widget-shadow': 'rgba(0, 0, 0, 0.36)',
  })} }`,
};

export const LIGHT: Theme = {
  name: 'light',
  bodyClass: 'vscode-light',
  css: `html { ${FONT} ${vars({
    foreground: '#3b3b3b', 'editor-background': '#ffffff', descriptionForeground: '#6a6a6a', 'panel-border': '#e5e5e5', focusBorder: '#005fb8',
    'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'testing-iconPassed': '#388a34', 'testing-iconFailed': '#f14c4c',
    'editorWarning-foreground': '#bf8803', 'editorInfo-foreground': '#1a85ff', errorForeground: '#a1260d', 'button-background': '#005fb8', 'button-foreground': '#ffffff',
    'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b',
    'dropdown-border': '#cecece', 'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'textCodeBlock-background': '#f2f2f2',
    'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)', 'inputOption-activeBackground': '#bed6ed', 'inputOption-activeBorder': '#005fb8',
    'inputOption-activeForeground': '#000000', 'list-hoverBackground': '#f2f2f2', 'settings-dropdownBackground': '#ffffff',
    'settings-dropdownBorder': '#cecece', 'settings-dropdownForeground': '#3b3b3b', 'settings-dropdownListBorder': '#c8c8c8',
    'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000', 'widget-shadow': 'rgba(0, 0, 0, 0.16)',
  })} }`,
};

export const HC: Theme = {
  name: 'hc',
  bodyClass: 'vscode-high-contrast',
  css: `html { ${FONT} ${vars({
    foreground: '#ffffff', 'editor-background': '#000000', descriptionForeground: '#ffffffb3', 'panel-border': '#6fc3df', contrastBorder: '#6fc3df',
    contrastActiveBorder: '#f38518', focusBorder: '#f38518', 'badge-background': '#000000', 'badge-foreground': '#ffffff', 'testing-iconPassed': '#73c991',
    'testing-iconFailed': '#f14c4c', 'editorWarning-foreground': '#fff50e', 'editorInfo-foreground': '#3794ff', errorForeground: '#f48771', 'button-background': '#000000',
    'button-foreground': '#ffffff', 'button-border': '#6fc3df', 'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
    'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df', 'checkbox-background': '#000000',
    'checkbox-border': '#6fc3df', 'textCodeBlock-background': '#000000', 'toolbar-hoverBackground': 'transparent', 'toolbar-hoverOutline': '#f38518',
    'inputOption-activeBackground': 'transparent', 'inputOption-activeBorder': '#6fc3df', 'inputOption-activeForeground': '#ffffff', 'list-hoverBackground': 'transparent',
    'settings-dropdownBackground': '#000000', 'settings-dropdownBorder': '#6fc3df', 'settings-dropdownForeground': '#ffffff', 'settings-dropdownListBorder': '#6fc3df',
    'list-activeSelectionBackground': '#000000', 'list-activeSelectionForeground': '#ffffff', 'list-focusOutline': '#f38518',
  })} }`,
};

export const THEMES: Theme[] = [DARK, LIGHT, HC];
