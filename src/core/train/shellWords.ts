// Command words from a setting (mellm.jobs.cli, mellm.jobs.remotePrefix) as a POSIX shell would split
// them, and what an ssh command line says about its host. The words are later quoted one by one
// (launch.ts shellQuote), so nothing in a setting is ever run as shell syntax.

export class CommandLineError extends Error {}

/**
 * Splits like sh does for a simple command, without expanding anything: whitespace separates words,
 * '...' is literal, "..." keeps \" \\ \$ \` escapes, a backslash outside quotes escapes the next character.
 * Shell operators (; | & < > ( ) and $(...) or backquotes) are refused: a setting names a command, it is not a script.
 */
export function splitCommandLine(line: string, setting: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandLineError(`${setting}: unclosed ' quote in ${JSON.stringify(line)}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) word += line[++j];
        else if (line[j] === '$' || line[j] === '`') throw new CommandLineError(`${setting}: ${JSON.stringify(line)} asks for shell expansion (${line[j]}), which is not done: write the value itself`);
        else word += line[j];
      }
      if (j >= line.length) throw new CommandLineError(`${setting}: unclosed " quote in ${JSON.stringify(line)}`);
      inWord = true;
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new CommandLineError(`${setting}: ${JSON.stringify(line)} ends with a lone backslash`);
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (';|&<>()`$'.includes(c) || (c === '#' && !inWord)) {
      throw new CommandLineError(`${setting}: '${c}' in ${JSON.stringify(line)} is shell syntax; give a command and its arguments only (quote the character if it belongs to a word)`);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** ssh options that take a value (OpenSSH 9), so the value is not mistaken for the host. */
const SSH_WITH_VALUE = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

/** Whether the first word runs ssh (or autossh). */
export function isSsh(words: readonly string[]): boolean {
  const prog = words[0]?.split('/').pop() ?? '';
  return prog === 'ssh' || prog === 'autossh';
}

/**
 * The destination of an ssh command line: the first word that is neither an option nor an option's value,
 * without user@ and ssh://. null when the words are not an ssh command or name no host.
 */
export function sshHost(words: readonly string[]): string | null {
  if (!isSsh(words)) return null;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === '--') return words[i + 1] ? stripUser(words[i + 1]) : null;
    if (w.startsWith('-') && w.length > 1) {
      // -p2222 carries its value; -p 2222 takes the next word; -vA are flags.
      const last = w[w.length - 1];
      const letters = w.slice(1);
      const takesValue = [...letters].findIndex((l) => SSH_WITH_VALUE.has(l));
      if (takesValue >= 0 && takesValue === letters.length - 1 && SSH_WITH_VALUE.has(last)) i++;
      continue;
    }
    return stripUser(w);
  }
  return null;
}

function stripUser(dest: string): string {
  const d = dest.replace(/^ssh:\/\//, '');
  const at = d.lastIndexOf('@');
  const hostPort = at >= 0 ? d.slice(at + 1) : d;
  // ssh://host:2222 -> host; [v6]:port -> v6
  const v6 = /^\[([^\]]+)\]/.exec(hostPort);
  if (v6) return v6[1];
  return dest.startsWith('ssh://') ? hostPort.replace(/:\d+$/, '') : hostPort;
}

/** The ssh words with extra options put right after the program (before the host and any command). */
export function withSshOptions(words: readonly string[], options: readonly string[]): string[] {
  return [words[0], ...options, ...words.slice(1)];
}
