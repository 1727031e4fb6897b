// Status bar item: which reasoner answers. Built-in, a reachable server (and the model it serves), or
// unreachable. In restricted mode it says so and checks nothing. Click: the mellm settings.
// Besides the periodic health check, every server request the panel makes reports back (noteOutcome):
// a failed one shows "unreachable" at once instead of a stale ✓ until the next check.
import * as vscode from 'vscode';
import { t } from './l10n';
import { MellmServerClient } from '../core/reasoning/client';
import { readSettings, isTrusted, SETTING_NAMES } from './settings';

export class ServerStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mellm.server', vscode.StatusBarAlignment.Right, 100);
  private timer: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private generation = 0;
  /** Last rendered state, for tests. */
  state: 'builtin' | 'restricted' | 'checking' | 'reachable' | 'unreachable' | 'failing' = 'checking';

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.item.name = t('MELLM server');
    this.item.command = { command: 'workbench.action.openSettings', title: t('MELLM settings'), arguments: ['mellm.'] };
    this.item.show();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 120_000);
  }

  async refresh(): Promise<void> {
    const gen = ++this.generation;
    const s = readSettings();
    if (!isTrusted()) return this.set('restricted', `$(shield) ${t('MELLM: built-in (restricted)')}`, t('Restricted mode: no MELLM server is contacted. Trust the workspace to use one.'));
    if (s.defaultReasoner === 'builtin' || s.endpoints.length === 0)
      return this.set(
        'builtin',
        `$(hubot) ${t('MELLM: built-in reasoner')}`,
        s.endpoints.length ? t('The built-in FACS reasoner answers by default (mellm.defaultReasoner).') : t('No MELLM server configured ({0}): the built-in FACS reasoner answers.', SETTING_NAMES.endpoints),
      );
    this.set('checking', `$(sync~spin) ${t('MELLM: checking server…')}`, s.endpoints.join(', '));
    try {
      const client = new MellmServerClient({ endpoints: s.endpoints, model: s.model, connectTimeoutMs: s.timeouts.connectMs, settingNames: SETTING_NAMES });
      const health = await client.health(AbortSignal.timeout(s.timeouts.connectMs + 2000));
      if (gen !== this.generation) return;
      const up = health.find((h) => h.ok);
      if (up) {
        const served = up.servesModel ? s.model : t('{0} (not {1})', up.models.join(', ') || t('no models'), s.model);
        this.set('reachable', `$(check) MELLM: ${served}`, t('{0} serves {1} ({2} ms)', up.endpoint, up.models.join(', '), up.latencyMs.toFixed(0)));
      } else {
        const why = health.map((h) => `${h.endpoint}: ${h.error ?? h.code ?? 'down'}`).join('\n');
        this.log.warn(`MELLM server unreachable: ${why.replace(/\n/g, '; ')}`);
        this.set('unreachable', `$(warning) ${t('MELLM: server unreachable')}`, `${why}\n${t('The built-in reasoner is still available.')}`);
      }
    } catch (e) {
      if (gen === this.generation) this.set('unreachable', `$(warning) ${t('MELLM: server unreachable')}`, (e as Error).message);
    }
  }

  /**
   * A server request the panel made ended. A failure shows at once (and cancels a check in flight, whose
   * answer is older); the server is checked again in 15 s so the item recovers when it comes back. A success
   * while the item says otherwise triggers a check.
   */
  noteOutcome(o: { ok: boolean; message?: string; code?: string }): void {
    if (!isTrusted()) return;
    if (o.ok) {
      if (this.state !== 'reachable' && this.state !== 'checking') void this.refresh();
      return;
    }
    this.generation++;
    // Refused / timed out: nobody answers. Anything else (key, model name, HTTP error): it answers, but not usefully.
    const down = !o.code || /^(connect-|first-token-timeout|no-endpoint)/.test(o.code);
    this.set(down ? 'unreachable' : 'failing', `$(warning) ${down ? t('MELLM: server unreachable') : t('MELLM: server error')}`, `${o.message ?? ''}\n${t('The built-in reasoner is still available.')}`);
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      void this.refresh();
    }, 15_000);
  }

  private set(state: ServerStatus['state'], text: string, tooltip: string): void {
    this.state = state;
    this.item.text = text;
    this.item.tooltip = `${tooltip}\n${t('Click for MELLM settings.')}`;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.recheck) clearTimeout(this.recheck);
    this.item.dispose();
  }
}
