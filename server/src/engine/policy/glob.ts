// The globs of `.kube-pki.yaml` (`exclude:`, `overrides[].files`) and of the CLI's --exclude, with .gitignore's
// reading of a pattern (yamllint's `ignore:` and ESLint's patterns read them the same way):
// - relative to a base folder (the config file's folder; the current folder for --exclude and for the config
//   given with --config, as ESLint takes the patterns of a config given with -c);
// - a pattern without a slash matches a file or folder name at any depth (`fixtures`, `*.tmpl.yaml`);
// - a pattern with a slash is anchored to the base (`test/fixtures`, `/testdata`, `charts/*/templates`);
// - a pattern that matches a folder takes everything below it; a trailing slash (`dir/`) matches folders only.
// Matching is picomatch's (`*`, `**`, `?`, `[...]`, `{a,b}`), dot files included. In a config a leading `/` is
// gitignore's anchor, never the file system's root; on the command line (--exclude) an absolute path is taken
// as one (commandLinePattern).
import * as path from 'node:path';
import picomatch from 'picomatch';

export interface Glob {
  /** The pattern as written. */
  pattern: string;
  /**
   * Whether a path relative to the base (forward slashes) is matched: itself or a folder above it. `isFolder`:
   * the path is a folder (a walk asking whether to enter it), so `dir/` matches it too.
   */
  test(relative: string, isFolder?: boolean): boolean;
}

/**
 * Why a pattern cannot be used, or undefined when it can. `base` names the folder patterns are relative to, for
 * the message ("the config file's folder", "the current folder").
 */
export function globProblem(pattern: string, base = "the config file's folder"): string | undefined {
  const p = pattern.trim();
  if (p === '') return 'an empty pattern matches nothing';
  if (p.startsWith('!')) return `negated patterns ('${p}') are not supported: list what to exclude`;
  if (/^[A-Za-z]:[\\/]/.test(p)) return `'${p}' is an absolute path: patterns are relative to ${base}`;
  const body = p.replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (body.split('/').some((seg) => seg === '..')) return `'${p}' leads out of the folder: patterns match only below it`;
  if (body === '' || body === '.')
    return `'${p}' names the folder itself: it would exclude everything below it; leave the files out some other way, or delete the config`;
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
    test(relative: string, isFolder = false): boolean {
      const segments = relative.split('/').filter((s) => s !== '' && s !== '.');
      if (segments.length === 0 || segments[0] === '..') return false;
      // The path itself, then each folder above it (a folder matched takes everything below it).
      const last = foldersOnly && !isFolder ? segments.length - 1 : segments.length;
      for (let i = 1; i <= last; i++) {
        const candidate = anchored ? segments.slice(0, i).join('/') : segments[i - 1];
        if (isMatch(candidate)) return true;
      }
      return false;
    },
  };
}

/**
 * A --exclude pattern as the globs read it: an absolute path inside `base` (`--exclude $PWD/fixtures`) becomes
 * the path relative to it, anchored (`/fixtures`; a trailing slash kept); one outside it is refused, since nothing outside the base can
 * match. Other patterns are returned as they are (globProblem judges them).
 */
export function commandLinePattern(pattern: string, base: string): { pattern: string } | { problem: string } {
  const p = pattern.trim();
  if (!path.isAbsolute(p)) return { pattern };
  const rel = relativeTo(base, path.resolve(p));
  if (rel === '') return { problem: `'${p}' is the current folder itself: it would exclude everything below it` };
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
    return { problem: `'${p}' is outside the current folder (${base}): patterns are relative to it and match only below it` };
  }
  // Anchored to the base (a leading `/`): `$PWD/fixtures` is ./fixtures, not every folder named fixtures.
  return { pattern: `/${rel}${/[\\/]$/.test(p) ? '/' : ''}` };
}

/** `file` relative to `base` with forward slashes ('' when it is the base; starting with '..' when outside it). */
export function relativeTo(base: string, file: string): string {
  return path.relative(base, file).split(path.sep).join('/');
}
