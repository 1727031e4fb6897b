// Where the browser tests find Chromium, and the reason they skip without it (a fresh machine has none;
// `.ci/run` installs Debian's). Every test that launches it takes its skip reason from here.
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** A skip reason for node:test when Chromium is missing, else false. */
export function chromiumSkip(): string | false {
  return existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)`;
}
