// Status bar item: which reasoner answers. Built-in, a reachable server (and the model it serves), or
// unreachable. In restricted mode it says so and checks nothing. Click: the mellm settings.
import * as vscode from 'vscode';
import { MellmServerClient } from '../core/reasoning/client';
import { readSettings, isTrusted, SETTING_NAMES } from './settings';

export class ServerStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mellm.server', vscode.StatusBarAlignment.Right, 100);
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  /** Last rendered state, for tests. */
  state: 'builtin' | 'restricted' | 'checking' | 'reachable' | 'unreachable' = 'checking';

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.item.name = 'MELLM server';
    this.item.command = { command: 'workbench.action.openSettings', title: 'MELLM settings', arguments: ['mellm.'] };
    this.item.show();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 120_000);
  }

  async refresh(): Promise<void> {
    const gen = ++this.generation;
    const s = readSettings();
    if (!isTrusted()) return this.set('restricted', '$(shield) MELLM: built-in (restricted)', 'Restricted mode: no MELLM server is contacted. Trust the workspace to use one.');
    if (s.defaultReasoner === 'builtin' || s.endpoints.length === 0)
      return this.set('builtin', '$(hubot) MELLM: built-in reasoner', s.endpoints.length ? 'The built-in FACS reasoner answers by default (mellm.defaultReasoner).' : `No MELLM server configured (${SETTING_NAMES.endpoints}): the built-in FACS reasoner answers.`);
    this.set('checking', '$(sync~spin) MELLM: checking server…', s.endpoints.join(', '));
    try {
      const client = new MellmServerClient({ endpoints: s.endpoints, model: s.model, connectTimeoutMs: s.timeouts.connectMs, settingNames: SETTING_NAMES });
      const health = await client.health(AbortSignal.timeout(s.timeouts.connectMs + 2000));
      if (gen !== this.generation) return;
      const up = health.find((h) => h.ok);
      if (up) {
        const served = up.servesModel ? s.model : `${up.models.join(', ') || 'no models'} (not ${s.model})`;
        this.set('reachable', `$(check) MELLM: ${served}`, `${up.endpoint} serves ${up.models.join(', ')} (${up.latencyMs.toFixed(0)} ms)`);
      } else {
        const why = health.map((h) => `${h.endpoint}: ${h.error ?? h.code ?? 'down'}`).join('\n');
        this.log.warn(`MELLM server unreachable: ${why.replace(/\n/g, '; ')}`);
        this.set('unreachable', '$(warning) MELLM: server unreachable', `${why}\nThe built-in reasoner is still available.`);
      }
    } catch (e) {
      if (gen === this.generation) this.set('unreachable', '$(warning) MELLM: server unreachable', (e as Error).message);
    }
  }

  private set(state: ServerStatus['state'], text: string, tooltip: string): void {
    this.state = state;
    this.item.text = text;
    this.item.tooltip = `${tooltip}\nClick for MELLM settings.`;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.item.dispose();
  }
}
