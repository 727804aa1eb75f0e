// systemd service units that run a control-plane component (Kubernetes The Hard Way's kube-apiserver.service,
// etcd.service, ...): the ExecStart= command line read as systemd reads it, into the same ComponentUnit a static
// pod makes, with every value's span on the characters of the unit it came from. A unit (or drop-in, kubeadm's
// 10-kubeadm.conf) running the kubelet gives its file flags (--config, --kubeconfig, --client-ca-file,
// --tls-cert-file, --tls-private-key-file) as a KubeletFlagsUnit. What is followed:
//   - systemd.syntax(5) / src/shared/conf-parser.c: sections, `Key=value` with the value's surrounding blanks
//     dropped, `#`/`;` comment lines; a line ending in a backslash continues on the next line (the backslash reads
//     as a space), comment lines inside a continued line are skipped.
//   - systemd.service(5) "Command lines" / src/core/load-fragment.c config_parse_exec: an empty ExecStart= resets
//     the list, the last command counts (a simple service has one); the executable may carry the prefixes
//     `@ - : + !` (`@`: the next word is argv[0], the arguments follow it); a lone `;` ends a command; words are
//     split as src/basic/extract-word.c does with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE: blanks separate, "..." and
//     '...' quote (anywhere in a word), C escapes (\n, \t, \\, \", \', \xNN) are unescaped.
//   - Variables (systemd.service(5), src/basic/env-util.c replace_env_argv): `${FOO}` inside a word is the value as
//     is; `$FOO` as a word of its own is the value split at blanks (zero or more words); `$$` is `$`. Values come
//     from Environment= (systemd.exec(5): space-separated `NAME=value` assignments, quoted like command words, no
//     expansion inside; an empty assignment resets) and from EnvironmentFile= (systemd.exec(5): the files in the
//     order given, each overriding Environment= and the files before it; `-` = a file that is not there sets
//     nothing; an empty assignment resets the list), read as src/basic/env-file.c reads them (envFile below) when
//     the engine finds the file in the workspace (EnvFileLookup): a value from one is at an offset past the unit's
//     text (ParsedFile.sources), so a finding on it is that file's. A variable nothing in the workspace defines (a
//     file not found, the manager, a drop-in) and `%` specifiers make the word opaque: flags reading it are not
//     judged, and the component is `unread` (no default assumed for a flag it may set).
import * as path from 'node:path';
import type { ArgItem } from './shellWords';
import { componentUnit, parseFlags } from './manifest';
import { components as catalog, kubeletFlags } from '../cluster/catalog';
import type { Component, ComponentUnit, EnvFileRef, Flag, KubeletFlagsUnit, Reference, SourceText, Span } from './model';

/** A systemd unit with a [Service] section and an ExecStart= line. */
export function looksLikeSystemdService(text: string): boolean {
  // Asked of every file the workspace holds: the literal first (the line-anchored pattern scans every line).
  return text.includes('[Service]') && /^[ \t]*\[Service\][ \t]*$/m.test(text) && /^[ \t]*ExecStart[ \t]*=/m.test(text);
}

/** A run of characters, each with the source offset it came from. */
interface Chars {
  text: string;
  offsets: number[];
}

interface Directive {
  section: string;
  key: string;
  value: Chars;
  /** Where the key stands. */
  keyStart: number;
}

/** The logical lines of a unit file (continuations joined), as directives. */
function directives(text: string): Directive[] {
  const out: Directive[] = [];
  const lines: { text: string; start: number }[] = [];
  let at = 0;
  for (const line of text.split('\n')) {
    lines.push({ text: line.endsWith('\r') ? line.slice(0, -1) : line, start: at });
    at += line.length + 1;
  }
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i].text.trim();
    if (first === '' || first.startsWith('#') || first.startsWith(';')) continue;
    if (first.startsWith('[') && first.endsWith(']')) {
      section = first.slice(1, -1);
      continue;
    }
    // Join the continuation lines, each character with its offset.
    const logical: Chars = { text: '', offsets: [] };
    for (; i < lines.length; i++) {
      const { text: l, start } = lines[i];
      const continued = l.endsWith('\\');
      const body = continued ? l.slice(0, -1) : l;
      for (let j = 0; j < body.length; j++) {
        logical.text += body[j];
        logical.offsets.push(start + j);
      }
      if (!continued) break;
      logical.text += ' ';
      logical.offsets.push(start + body.length);
      while (i + 1 < lines.length && /^\s*[#;]/.test(lines[i + 1].text)) i++;
    }
    const eq = logical.text.indexOf('=');
    if (eq < 0) continue;
    const key = logical.text.slice(0, eq).trim();
    let s = eq + 1;
    let e = logical.text.length;
    while (s < e && /\s/.test(logical.text[s])) s++;
    while (e > s && /\s/.test(logical.text[e - 1])) e--;
    const keyStart = logical.offsets[logical.text.length - logical.text.trimStart().length] ?? 0;
    out.push({ section, key, keyStart, value: { text: logical.text.slice(s, e), offsets: logical.offsets.slice(s, e) } });
  }
  return out;
}

interface Word extends Chars {
  /** Any part was quoted (a quoted `$FOO` is still a word of its own, but `""` is an empty word, not none). */
  quoted: boolean;
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };

/** Words as extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE) splits them. */
function words(value: Chars): Word[] {
  const out: Word[] = [];
  const t = value.text;
  let i = 0;
  while (i < t.length) {
    while (i < t.length && /\s/.test(t[i])) i++;
    if (i >= t.length) break;
    const w: Word = { text: '', offsets: [], quoted: false };
    let quote: string | undefined;
    for (; i < t.length; i++) {
      const c = t[i];
      if (!quote && /\s/.test(c)) break;
      if (quote && c === quote) {
        quote = undefined;
        continue;
      }
      if (!quote && (c === '"' || c === "'")) {
        quote = c;
        w.quoted = true;
        continue;
      }
      if (c === '\\' && i + 1 < t.length) {
        const n = t[i + 1];
        const hex = n === 'x' ? /^[0-9a-fA-F]{2}/.exec(t.slice(i + 2)) : null;
        if (hex) {
          w.text += String.fromCharCode(parseInt(hex[0], 16));
          w.offsets.push(value.offsets[i]);
          i += 3;
          continue;
        }
        w.text += ESCAPES[n] ?? n;
        w.offsets.push(value.offsets[i + 1]);
        i++;
        continue;
      }
      w.text += c;
      w.offsets.push(value.offsets[i]);
    }
    out.push(w);
  }
  return out;
}

type Env = Map<string, Chars>;

/** Environment= assignments, in order (an empty one resets). */
function environment(all: Directive[]): Env {
  const env: Env = new Map();
  for (const d of all) {
    if (d.section !== 'Service' || d.key !== 'Environment') continue;
    if (d.value.text === '') {
      env.clear();
      continue;
    }
    for (const w of words(d.value)) {
      const eq = w.text.indexOf('=');
      if (eq <= 0) continue;
      env.set(w.text.slice(0, eq), { text: w.text.slice(eq + 1), offsets: w.offsets.slice(eq + 1) });
    }
  }
  return env;
}

/** A command word after expansion: ArgItems (opaque when a variable or specifier is unknown). */
function expand(w: Word, env: Env, anchor: number): ArgItem[] {
  const item = (c: Chars, opaque = false): ArgItem => {
    const start = c.offsets[0] ?? anchor;
    const end = (c.offsets[c.offsets.length - 1] ?? start) + 1;
    return { text: c.text, start, end, quoted: false, offsets: c.offsets.length > 0 ? c.offsets : [start], ...(opaque ? { opaque: true } : {}) };
  };
  const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(w.text);
  if (whole) {
    const v = env.get(whole[1]);
    if (!v) return [item(w, true)];
    // Split at blanks (unquoting, as strv_split_full with EXTRACT_UNQUOTE): zero or more words with their offsets.
    return words(v).map((p) => item(p));
  }
  const out: Chars = { text: '', offsets: [] };
  // Where each character is written in the word: a variable's characters at its `${` ... `}`.
  const written: number[] = [];
  /** Per character: the index of the reference it came from, or -1 for a literal character. */
  const from: number[] = [];
  let refs = 0;
  let opaque = false;
  for (let i = 0; i < w.text.length; i++) {
    const c = w.text[i];
    if (c === '%') {
      if (w.text[i + 1] === '%') i++;
      else opaque = true;
    } else if (c === '$' && w.text[i + 1] === '$') {
      i++;
    } else if (c === '$' && w.text[i + 1] === '{') {
      const close = w.text.indexOf('}', i);
      const v = close > 0 ? env.get(w.text.slice(i + 2, close)) : undefined;
      if (close > 0 && v) {
        out.text += v.text;
        out.offsets.push(...v.offsets);
        v.offsets.forEach((_, k) => written.push(k === v.offsets.length - 1 ? w.offsets[close] : w.offsets[i]));
        v.offsets.forEach(() => from.push(refs));
        refs++;
        i = close;
        continue;
      }
      opaque = true;
    } else if (c === '$') {
      opaque = true;
    }
    out.text += w.text[i];
    out.offsets.push(w.offsets[i]);
    written.push(w.offsets[i]);
    from.push(-1);
  }
  // A flag's value made of one variable stands where the variable is set (the line to edit); a value mixing a
  // variable with other characters stands where the word is written (`${PKI}/apiserver.key`).
  const eq = out.text.startsWith('-') ? out.text.indexOf('=') : -1;
  const value = from.slice(eq + 1);
  const mixed = value.some((r) => r >= 0) && value.some((r) => r !== value[0]);
  if (mixed) for (let k = eq + 1; k < out.offsets.length; k++) out.offsets[k] = written[k];
  return [item(out, opaque)];
}

/** EnvironmentFile= values in order; an empty one resets the list (systemd.exec(5)). */
function environmentFiles(all: Directive[]): EnvFileRef[] {
  let out: EnvFileRef[] = [];
  for (const d of all) {
    if (d.section !== 'Service' || d.key !== 'EnvironmentFile') continue;
    if (d.value.text === '') {
      out = [];
      continue;
    }
    const optional = d.value.text.startsWith('-');
    const skip = optional ? 1 : 0;
    const p = d.value.text.slice(skip).trim();
    if (p === '') continue;
    const start = d.value.offsets[skip] ?? d.keyStart;
    out.push({ path: p, optional, span: { start, end: (d.value.offsets[d.value.offsets.length - 1] ?? start) + 1 } });
  }
  return out;
}

/**
 * What the engine found for an EnvironmentFile=: the file's text, 'absent' (where it belongs, nothing is there), or
 * undefined (not known: outside the workspace, or not looked up).
 */
export type EnvFileLookup = (ref: EnvFileRef) => { file: string; text: string } | 'absent' | undefined;

const components = Object.keys(catalog) as Component[];

export function parseSystemdService(file: string, text: string): (ComponentUnit | KubeletFlagsUnit)[] {
  return parseSystemdUnit(file, text).units;
}

/** A drop-in of a unit (`<unit>.d/*.conf`), in the order systemd applies them. */
export interface DropIn {
  file: string;
  text: string;
}

/**
 * The unit's units, its EnvironmentFile= values, and the texts read for them (with `lookup`). `dropIns`: its
 * drop-ins, whose directives systemd applies after the unit's in lexical order of their names (systemd.unit(5)
 * "drop-in"): an empty `ExecStart=` resets the command and a later one sets it, Environment= and EnvironmentFile=
 * add to the unit's. Their text is a source of the unit (ParsedFile.sources): a finding on a value set there is the
 * drop-in's, on its line.
 */
export function parseSystemdUnit(
  file: string,
  text: string,
  lookup?: EnvFileLookup,
  dropIns: DropIn[] = [],
): { units: (ComponentUnit | KubeletFlagsUnit)[]; envFiles: EnvFileRef[]; sources: SourceText[] } {
  const all = directives(text);
  const sources: SourceText[] = [];
  let at = text.length + 1;
  for (const d of dropIns) {
    const shift = at;
    for (const x of directives(d.text))
      all.push({ ...x, keyStart: x.keyStart + shift, value: { text: x.value.text, offsets: x.value.offsets.map((o) => o + shift) } });
    sources.push({ file: d.file, base: shift, text: d.text });
    at += d.text.length + 1;
  }
  const envFiles = environmentFiles(all);
  const units = unitsOf(file, all, envFiles, at, sources, lookup);
  return { units, envFiles, sources };
}

function unitsOf(
  file: string,
  all: Directive[],
  envFiles: EnvFileRef[],
  firstBase: number,
  sources: SourceText[],
  lookup: EnvFileLookup | undefined,
): (ComponentUnit | KubeletFlagsUnit)[] {
  let exec: Directive | undefined;
  for (const d of all) {
    if (d.section !== 'Service' || d.key !== 'ExecStart') continue;
    exec = d.value.text === '' ? undefined : d;
  }
  if (!exec) return [];
  let command = words(exec.value);
  // A lone `;` ends a command; the service's process is the last command's (a simple service has only one).
  const semi = command.findIndex((w) => w.text === ';' && !w.quoted);
  if (semi >= 0) command = command.slice(0, semi);
  if (command.length === 0) return [];
  const first = command[0];
  const prefix = /^[-@:+!]*/.exec(first.text)?.[0] ?? '';
  const binary: Word = { text: first.text.slice(prefix.length), offsets: first.offsets.slice(prefix.length), quoted: first.quoted };
  const base = path.posix.basename(binary.text);
  if (base !== 'kubelet' && !(components as string[]).includes(base)) return [];
  // With `@`, the word after the executable is argv[0]: the arguments start after it.
  const args = command.slice(prefix.includes('@') ? 2 : 1);
  const env = environment(all);
  // EnvironmentFile= overrides Environment=, the later file the earlier (systemd.exec(5)). Unknown files set nothing
  // here: a variable they may set stays undefined, so the words reading it stay opaque.
  let at = firstBase;
  for (const ref of envFiles) {
    const found = lookup?.(ref);
    // kubeadm's kubelet env files are documents of their own (parseKubeletEnvFile judges their flags on their
    // lines): their variables are left to them, not judged twice.
    if (!found || found === 'absent' || looksLikeKubeletEnvFile(found.text)) continue;
    const shift = at;
    for (const [name, v] of envFile(found.text)) env.set(name, { text: v.text, offsets: v.offsets.map((o) => o + shift) });
    sources.push({ file: found.file, base: shift, text: found.text });
    at += found.text.length + 1;
  }
  const items = args.flatMap((w) => expand(w, env, exec.keyStart));
  const flags = new Map<string, Flag[]>();
  parseFlags(items, flags);
  const span = { start: binary.offsets[0] ?? exec.keyStart, end: (binary.offsets[binary.offsets.length - 1] ?? exec.keyStart) + 1 };
  if (base === 'kubelet') return [kubeletUnit(file, span, flags)];
  return [componentUnit(file, base as Component, span, flags, items)];
}

/** The kubelet's flags that name files (the catalog's kubeletFlags), as references; the last occurrence wins. */
function kubeletUnit(file: string, span: Span, flags: Map<string, Flag[]>): KubeletFlagsUnit {
  const unit: KubeletFlagsUnit = { kind: 'kubelet-flags', file, span, flags, refs: [] };
  for (const [name, spec] of Object.entries(kubeletFlags)) {
    const all = flags.get(name);
    const f = all?.[all.length - 1];
    if (!f || f.value.trim() === '') continue;
    const ref: Reference = {
      file,
      span: f.span,
      field: `--${name}`,
      expect: spec.names,
      source: { kind: 'path', path: f.value.trim(), baseDir: path.dirname(file) },
    };
    unit.refs.push(ref);
    if (name === 'client-ca-file') unit.clientCA = ref;
    if (name === 'tls-cert-file') unit.tlsCert = ref;
    if (name === 'tls-private-key-file') unit.tlsKey = ref;
  }
  return unit;
}

/**
 * kubeadm's environment files for the kubelet: /var/lib/kubelet/kubeadm-flags.env (KUBELET_KUBEADM_ARGS, written by
 * `kubeadm init`/`join`) and /etc/default/kubelet (KUBELET_EXTRA_ARGS, the operator's), whose values kubeadm's
 * 10-kubeadm.conf drop-in puts on the kubelet's command line as `$KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS` (each
 * split at blanks). Recognised by those variable names; the kubelet's file flags in them are judged on the env
 * file's line.
 */
export function looksLikeKubeletEnvFile(text: string): boolean {
  return text.includes('KUBELET_') && /^[ \t]*KUBELET_(KUBEADM|EXTRA)_ARGS[ \t]*=/m.test(text);
}

/**
 * An environment file's assignments as systemd reads an EnvironmentFile= (systemd.exec(5); the state machine of
 * src/basic/env-file.c parse_env_file_internal): `NAME=value` lines; lines starting with `#` or `;` are comments (a
 * backslash at their end continues the comment); a line without `=` is ignored; blanks around an unquoted value are
 * dropped, blanks inside kept, a backslash keeps the next character and a backslash-newline joins lines; a value
 * starting with '...' is literal up to the closing quote (line breaks included), "..." likewise with `\"`, `\\`,
 * `\``, `\$` and backslash-newline escaped (any other backslash kept); after a closing quote the value goes on; quotes
 * after the first character of an unquoted value are kept. The later assignment of a name wins.
 */
function envFile(text: string): Env {
  const env: Env = new Map();
  type State = 'pre-key' | 'key' | 'pre-value' | 'value' | 'single' | 'double' | 'comment';
  let state: State = 'pre-key';
  let key = '';
  let v: Chars = { text: '', offsets: [] };
  /** Length of the value up to its last character that is not unquoted trailing blank. */
  let kept = 0;
  const emit = () => {
    const name = key.trim();
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) env.set(name, { text: v.text.slice(0, kept), offsets: v.offsets.slice(0, kept) });
    key = '';
    v = { text: '', offsets: [] };
    kept = 0;
    state = 'pre-key';
  };
  const add = (c: string, at: number, blank = false) => {
    v.text += c;
    v.offsets.push(at);
    if (!blank) kept = v.text.length;
  };
  const NL = '\n\r';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    switch (state) {
      case 'pre-key':
        if (c === '#' || c === ';') state = 'comment';
        else if (!/\s/.test(c)) {
          state = 'key';
          key = c;
        }
        break;
      case 'key':
        if (NL.includes(c)) {
          state = 'pre-key';
          key = '';
        } else if (c === '=') state = 'pre-value';
        else key += c;
        break;
      case 'pre-value':
      case 'value':
        if (NL.includes(c)) emit();
        else if (state === 'pre-value' && (c === ' ' || c === '\t')) break;
        else if (state === 'pre-value' && c === "'") state = 'single';
        else if (state === 'pre-value' && c === '"') state = 'double';
        else if (c === '\\') {
          state = 'value';
          if (text[i + 1] === '\n') i++;
          else if (text[i + 1] === '\r' && text[i + 2] === '\n') i += 2;
          else if (i + 1 < text.length) add(text[++i], i);
        } else {
          state = 'value';
          add(c, i, c === ' ' || c === '\t');
        }
        break;
      case 'single':
        if (c === "'") {
          state = 'pre-value';
          kept = v.text.length;
        } else add(c, i);
        break;
      case 'double':
        if (c === '"') {
          state = 'pre-value';
          kept = v.text.length;
        } else if (c === '\\' && i + 1 < text.length) {
          const n = text[i + 1];
          if ('"\\`$'.includes(n)) add(text[++i], i);
          else if (n === '\n') i++;
          else add(c, i);
        } else add(c, i);
        break;
      case 'comment':
        if (c === '\\') i++;
        else if (NL.includes(c)) state = 'pre-key';
        break;
    }
  }
  if (state === 'value' || state === 'pre-value' || state === 'single' || state === 'double') emit();
  return env;
}

export function parseKubeletEnvFile(file: string, text: string): KubeletFlagsUnit[] {
  const env = envFile(text);
  const items: ArgItem[] = [];
  for (const name of ['KUBELET_KUBEADM_ARGS', 'KUBELET_EXTRA_ARGS']) {
    const v = env.get(name);
    if (v)
      items.push(
        ...words(v)
          .map((w) => expand(w, env, 0))
          .flat(),
      );
  }
  const flags = new Map<string, Flag[]>();
  parseFlags(items, flags);
  const at = /KUBELET_(KUBEADM|EXTRA)_ARGS/.exec(text);
  const span = { start: at?.index ?? 0, end: (at?.index ?? 0) + (at?.[0].length ?? 0) };
  return [kubeletUnit(file, span, flags)];
}
