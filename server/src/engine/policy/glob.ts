// The globs of `.kube-pki.yaml` (`exclude:`, `overrides[].files`) and of the CLI's --exclude, with .gitignore's
// reading of a pattern (yamllint's `ignore:` and ESLint's patterns read them the same way):
// - relative to a base folder (the config file's folder; the current folder for --exclude);
// - a pattern without a slash matches a file or folder name at any depth (`fixtures`, `*.tmpl.yaml`);
// - a pattern with a slash is anchored to the base (`test/fixtures`, `/testdata`, `charts/*/templates`);
// - a pattern that matches a folder takes everything below it; a trailing slash (`dir/`) matches folders only.
// Matching is picomatch's (`*`, `**`, `?`, `[...]`, `{a,b}`), dot files included.
import * as path from 'node:path';
import picomatch from 'picomatch';

export interface Glob {
  /** The pattern as written. */
  pattern: string;
  /** Whether a path relative to the base (forward slashes) is matched: itself or a folder above it. */
  test(relative: string): boolean;
}

/** Why a pattern cannot be used, or undefined when it can. */
export function globProblem(pattern: string): string | undefined {
  const p = pattern.trim();
  if (p === '') return 'an empty pattern matches nothing';
  if (p.startsWith('!')) return `negated patterns ('${p}') are not supported: list what to exclude`;
  if (/^[A-Za-z]:[\\/]/.test(p)) return `'${p}' is an absolute path: patterns are relative to the config file's folder`;
  const body = p.replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (body.split('/').some((seg) => seg === '..')) return `'${p}' leads out of the folder: patterns match only below it`;
  if (body === '' || body === '.') return `'${p}' names the folder itself: it would exclude everything below it; leave the files out some other way, or delete the config`;
  try {
    picomatch.makeRe(body, { dot: true });
  } catch (err) {
    return `'${p}' is not a valid glob (${(err as Error).message})`;
  }
  return undefined;
}

/** A matcher for a pattern globProblem accepts. */
export function compileGlob(pattern: string): Glob {
  let body = pattern.trim().replace(/\\/g, '/');
  if (body.startsWith('./')) body = body.slice(2);
  const anchoredByLead = body.startsWith('/');
  body = body.replace(/^\/+/, '');
  const foldersOnly = body.endsWith('/');
  body = body.replace(/\/+$/, '');
  const anchored = anchoredByLead || body.includes('/');
  const isMatch = picomatch(body, { dot: true });
  return {
    pattern,
    test(relative: string): boolean {
      const segments = relative.split('/').filter((s) => s !== '' && s !== '.');
      if (segments.length === 0 || segments[0] === '..') return false;
      // The file itself, then each folder above it (a folder matched takes everything below it).
      const last = foldersOnly ? segments.length - 1 : segments.length;
      for (let i = 1; i <= last; i++) {
        const candidate = anchored ? segments.slice(0, i).join('/') : segments[i - 1];
        if (isMatch(candidate)) return true;
      }
      return false;
    },
  };
}

/** `file` relative to `base` with forward slashes ('' when it is the base; starting with '..' when outside it). */
export function relativeTo(base: string, file: string): string {
  return path.relative(base, file).split(path.sep).join('/');
}
