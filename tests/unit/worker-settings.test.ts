import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSettings, readSettingsFile, SettingsFileError } from '../../ecs/context';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function file(text: string, mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'settings-'));
  dirs.push(dir);
  const path = join(dir, 'worker.env');
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

describe('parseSettings', () => {
  it('reads KEY=value lines literally, with comments, export and quotes', () => {
    // Act
    const settings = parseSettings('# db\nexport SUPABASE_DB_URL="postgres://u:p@h/db?sslmode=require"\n\nKEY=$(reboot)\nQUOTED=\'a b\'\n', 'f');
    // Assert
    expect(settings).toEqual({ SUPABASE_DB_URL: 'postgres://u:p@h/db?sslmode=require', KEY: '$(reboot)', QUOTED: 'a b' });
  });

  it('names the bad line without quoting it', () => {
    // Act
    const act = () => parseSettings('GOOD=1\nsecret-value-here\n', 'worker.env');
    // Assert
    expect(act).toThrow(SettingsFileError);
    expect(act).toThrow('worker.env line 2 is not KEY=value');
    expect(act).not.toThrow(/secret-value-here/u);
  });
});

describe('readSettingsFile', () => {
  it('reads a file only its owner can read', () => {
    expect(readSettingsFile(file('A=1\n', 0o600))).toEqual({ A: '1' });
  });

  it.each([0o644, 0o640, 0o606])('refuses mode %o', (mode) => {
    expect(() => readSettingsFile(file('A=1\n', mode))).toThrow(/open to other users/u);
  });

  it('refuses a missing file with a typed error', () => {
    expect(() => readSettingsFile('/nonexistent/worker.env')).toThrow(SettingsFileError);
  });
});
