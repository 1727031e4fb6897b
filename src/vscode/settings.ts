// Typed access to the mellm.* settings, the API key in SecretStorage, and the workspace-trust rule:
// in an untrusted workspace the extension views images and maps but contacts no server and starts no process.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Device } from '../core/native';
import { MellmServerClient, isConfiguredEndpoint } from '../core/reasoning/client';
import { promptFromSettings, type PromptPreset } from '../core/reasoning/prompts';
import { REGION_TEXT_DEFAULTS, RegionTextSource } from '../core/reasoning/regionTextSource';
import { DEFAULT_MAX_TOKENS, DEFAULT_SAMPLING_PRESET, isSamplingPreset, resolveSampling, type SamplingRecord } from '../core/reasoning/sampling';

export interface MellmSettings {
  endpoints: string[];
  model: string;
  /** Language of the built-in reasoner's answers and the legend. */
  language: 'zh' | 'en';
  /** The prompt preset sent with the MMC-Map (mellm.prompt; see promptSetting for the migration). */
  prompt: PromptPreset;
  /** Generation settings for the MELLM server (mellm.sampling, mellm.temperature, mellm.maxTokens). */
  sampling: SamplingRecord;
  temperature: number;
  maxTokens: number;
  device: Device;
  cacheFolder: string;
  defaultReasoner: 'builtin' | 'server';
  timeouts: { connectMs: number; firstTokenMs: number; idleMs: number };
  /** The region-text lane's own server (mellm.regionText.*). */
  regionText: { endpoints: string[]; model: string; temperature: number; maxTokens: number; noThinking: boolean };
}

export const SETTING_NAMES = {
  endpoints: 'mellm.endpoints',
  model: 'mellm.model',
  apiKey: 'the "MELLM: Set Server API Key" command',
  connectTimeout: 'mellm.timeouts.connectMs',
  firstTokenTimeout: 'mellm.timeouts.firstTokenMs',
  idleTimeout: 'mellm.timeouts.idleMs',
};

/**
 * A setting a workspace must not change (package.json gives it "scope": "machine": where the API key goes,
 * which commands run, where files are written). VS Code already ignores workspace values of such settings;
 * reading only the user (and remote-machine) value keeps that true whatever the VS Code version does.
 */
export function userSetting<T>(c: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const i = c.inspect<T>(key);
  return i?.globalValue ?? i?.defaultValue ?? fallback;
}

/**
 * mellm.prompt, or for settings written before it existed: mellm.language set to 'en' (which then chose the
 * English prompt) still gives the English prompt; otherwise the authors' prompt.
 */
export function promptSetting(c: vscode.WorkspaceConfiguration): PromptPreset {
  const set = (key: string) => {
    const i = c.inspect<string>(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  };
  return promptFromSettings({ prompt: set('prompt'), language: set('language') });
}

/** mellm.sampling's preset; a mellm.temperature set by hand (settings from before presets, too) wins: 'custom'. */
function samplingSetting(c: vscode.WorkspaceConfiguration): SamplingRecord {
  const preset = c.get<string>('sampling', DEFAULT_SAMPLING_PRESET);
  const t = c.get<number | null>('temperature', null);
  const maxTokens = c.get<number>('maxTokens', DEFAULT_MAX_TOKENS);
  return resolveSampling({
    preset: isSamplingPreset(preset) ? preset : DEFAULT_SAMPLING_PRESET,
    ...(typeof t === 'number' && Number.isFinite(t) ? { temperature: t } : {}),
    maxTokens: Number.isInteger(maxTokens) && maxTokens >= 16 ? maxTokens : DEFAULT_MAX_TOKENS,
  });
}

export function readSettings(): MellmSettings {
  const c = vscode.workspace.getConfiguration('mellm');
  const sampling = samplingSetting(c);
  const device = c.get<string>('device', 'auto');
  const endpoints = userSetting<unknown>(c, 'endpoints', []);
  const rtEndpoints = userSetting<unknown>(c, 'regionText.endpoints', []);
  return {
    endpoints: (Array.isArray(endpoints) ? endpoints : []).filter((e): e is string => typeof e === 'string' && e.trim() !== ''),
    model: c.get<string>('model', 'mellm'),
    language: c.get<string>('language', 'zh') === 'en' ? 'en' : 'zh',
    prompt: promptSetting(c),
    sampling,
    temperature: sampling.temperature,
    maxTokens: sampling.maxTokens,
    device: device === 'cpu' || device === 'cuda' ? device : 'auto',
    cacheFolder: String(userSetting<unknown>(c, 'cacheFolder', '') ?? ''),
    defaultReasoner: c.get<string>('defaultReasoner', 'builtin') === 'server' ? 'server' : 'builtin',
    timeouts: {
      connectMs: c.get<number>('timeouts.connectMs', 10_000),
      firstTokenMs: c.get<number>('timeouts.firstTokenMs', 120_000),
      idleMs: c.get<number>('timeouts.idleMs', 30_000),
    },
    regionText: {
      // Where its key goes: a machine setting, read from the user's settings only (as mellm.endpoints).
      endpoints: (Array.isArray(rtEndpoints) ? rtEndpoints : []).filter((e): e is string => typeof e === 'string' && e.trim() !== ''),
      model: c.get<string>('regionText.model', '').trim(),
      temperature: c.get<number>('regionText.temperature', REGION_TEXT_DEFAULTS.temperature),
      maxTokens: c.get<number>('regionText.maxTokens', REGION_TEXT_DEFAULTS.maxTokens),
      noThinking: c.get<boolean>('regionText.noThinking', false) === true,
    },
  };
}

/** The cache folder: the setting (absolute, or relative to the first workspace folder), else global storage. */
export function cacheDir(context: vscode.ExtensionContext, s: MellmSettings): string {
  if (s.cacheFolder) {
    const expanded = s.cacheFolder.replace(/^~(?=$|[\\/])/, os.homedir());
    if (path.isAbsolute(expanded)) return expanded;
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (ws) return path.join(ws, expanded);
  }
  return path.join(context.globalStorageUri.fsPath, 'panel-cache');
}

export const isTrusted = () => vscode.workspace.isTrusted;

export const API_KEY_SECRET = 'mellm.apiKey';
/** The region-text server's key: its own secret, so the MELLM key never goes to another server. */
export const REGION_TEXT_KEY_SECRET = 'mellm.regionText.apiKey';

export async function serverClient(context: vscode.ExtensionContext, s: MellmSettings, log: vscode.LogOutputChannel, only?: { endpoint?: string; model?: string }): Promise<MellmServerClient> {
  if (!isTrusted()) throw new Error(vscode.l10n.t('This workspace is not trusted: MELLM contacts no server in restricted mode. Trust the workspace to use a MELLM server.'));
  // The webview may name an endpoint; the key goes only to the ones the user listed in their own settings.
  if (only?.endpoint && !isConfiguredEndpoint(only.endpoint, s.endpoints)) {
    throw new Error(vscode.l10n.t('{0} is not one of your {1} (user settings): MELLM sends its API key only to those. Add it there to use it.', only.endpoint, SETTING_NAMES.endpoints));
  }
  const apiKey = (await context.secrets.get(API_KEY_SECRET)) ?? process.env.MELLM_API_KEY;
  return new MellmServerClient({
    endpoints: only?.endpoint ? [only.endpoint] : s.endpoints,
    model: only?.model ?? s.model,
    apiKey: apiKey || undefined,
    temperature: s.temperature,
    maxTokens: s.maxTokens,
    connectTimeoutMs: s.timeouts.connectMs,
    firstTokenTimeoutMs: s.timeouts.firstTokenMs,
    idleTimeoutMs: s.timeouts.idleMs,
    settingNames: SETTING_NAMES,
    log: (l) => log.info(l),
  });
}

/** The region-text lane's source (text LLM over region statistics), from mellm.regionText.*. */
export async function regionTextSource(context: vscode.ExtensionContext, s: MellmSettings, log: vscode.LogOutputChannel, only?: { endpoint?: string; model?: string }): Promise<RegionTextSource> {
  if (!isTrusted()) throw new Error('This workspace is not trusted: MELLM contacts no server in restricted mode. Trust the workspace to use the region-text lane.');
  const model = only?.model ?? s.regionText.model;
  if (only?.endpoint && !isConfiguredEndpoint(only.endpoint, s.regionText.endpoints)) {
    throw new Error(`${only.endpoint} is not one of your mellm.regionText.endpoints (user settings): MELLM sends the region-text key only to those. Add it there to use it.`);
  }
  const endpoints = only?.endpoint ? [only.endpoint] : s.regionText.endpoints;
  if (endpoints.length === 0) throw new Error('No region-text server is configured: set mellm.regionText.endpoints (e.g. http://gpu-host:8001, a vLLM serving Qwen3) and mellm.regionText.model.');
  if (model === '') throw new Error('Set mellm.regionText.model to the served model name of the region-text server (its GET /v1/models lists it).');
  const apiKey = (await context.secrets.get(REGION_TEXT_KEY_SECRET)) ?? process.env.MELLM_REGION_TEXT_API_KEY;
  return new RegionTextSource({
    endpoints,
    model,
    apiKey: apiKey || undefined,
    temperature: s.regionText.temperature,
    maxTokens: s.regionText.maxTokens,
    noThinking: s.regionText.noThinking,
    connectTimeoutMs: s.timeouts.connectMs,
    firstTokenTimeoutMs: s.timeouts.firstTokenMs,
    idleTimeoutMs: s.timeouts.idleMs,
    log: (l) => log.info(l),
  });
}
