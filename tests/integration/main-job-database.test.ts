// What `npm start -- --database-url <url>` accepts: a Postgres URL of a database that answers, can
// have the extensions and holds no earlier run. A refused database is refused before anything
// boots, and no message carries the URL's password.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mainJobDatabaseProblem, withoutCredentials } from '../../local/stack';
import { describeOnServer, postgresServerUrl, serverDatabase } from '../helpers/database';

const exec = promisify(execFile);
const PASSWORD = 'postgres';

describe('withoutCredentials', () => {
  it.each([
    ['postgres://postgres:s3cr%40t@db.example.com:5432/postgres?sslmode=require', 'postgres://db.example.com:5432/postgres?sslmode=require'],
    ['postgresql://user@127.0.0.1/db', 'postgresql://127.0.0.1/db'],
    ['postgres://127.0.0.1:5432/db', 'postgres://127.0.0.1:5432/db'],
    ['not a url //user:pa@ss@host/db', 'not a url //host/db'],
  ])('prints %s as %s', (url, printed) => {
    // Act
    const result = withoutCredentials(url);
    // Assess
    expect(result).toBe(printed);
  });
});

describe('mainJobDatabaseProblem without a server', () => {
  it.each([
    ['', /is not a URL/u],
    ['localhost:5432/postgres', /must start with postgres:\/\/ or postgresql:\/\//u],
    ['mysql://root:hunter2@127.0.0.1/db', /must start with postgres:\/\/ or postgresql:\/\/, not mysql:\/\//u],
  ])('refuses %j', async (url, reason) => {
    // Act
    const problem = await mainJobDatabaseProblem(url);
    // Assess
    expect(problem).toMatch(reason);
    expect(problem).not.toContain('hunter2');
  });

  it('names the database it cannot reach, without the password', async () => {
    // Act: port 1 refuses connections
    const problem = await mainJobDatabaseProblem('postgres://postgres:hunter2@127.0.0.1:1/postgres?sslmode=disable');
    // Assess
    expect(problem).toMatch(/^cannot use postgres:\/\/127\.0\.0\.1:1\/postgres\?sslmode=disable: .*ECONNREFUSED/u);
    expect(problem).not.toContain('hunter2');
  });
});

describeOnServer('mainJobDatabaseProblem', () => {
  let admin: postgres.Sql;
  let copy: { readonly url: string; drop(): Promise<void> };
  let empty: { readonly name: string; readonly url: string };

  beforeAll(async () => {
    const adminUrl = postgresServerUrl() ?? '';
    admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    copy = await serverDatabase();
    const name = `main_job_empty_${process.pid}_${Date.now().toString(36)}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    empty = { name, url: url.toString() };
  });

  afterAll(async () => {
    await copy?.drop();
    if (empty) await admin.unsafe(`drop database if exists ${empty.name} with (force)`);
    await admin?.end({ timeout: 1 });
  });

  it('accepts a database without the migrations, and a migrated one without rows', async () => {
    // Act
    const problems = await Promise.all([mainJobDatabaseProblem(empty.url), mainJobDatabaseProblem(copy.url)]);
    // Assess
    expect(problems).toEqual([undefined, undefined]);
  });

  it('refuses a wrong password and a database that does not exist, without the password', async () => {
    // Prepare
    const wrong = new URL(copy.url);
    wrong.password = 'hunter2';
    const missing = new URL(copy.url);
    missing.pathname = '/no_such_database';
    // Act
    const problems = await Promise.all([mainJobDatabaseProblem(wrong.toString()), mainJobDatabaseProblem(missing.toString())]);
    // Assess
    expect(problems[0]).toMatch(/^cannot use postgres:\/\/127\.0\.0\.1:\d+\/vector_sync_\w+\?sslmode=disable: password authentication failed/u);
    expect(problems[1]).toMatch(/^cannot use .*: database "no_such_database" does not exist/u);
    expect(problems.join(' ')).not.toMatch(/hunter2|postgres:postgres@/u);
  });

  describe('a database an earlier run used', () => {
    beforeAll(async () => {
      const sql = postgres(copy.url, { max: 1, onnotice: () => undefined });
      await sql`insert into public.source_documents (content) values ('left by an earlier run'), ('and another')`;
      await sql.end({ timeout: 1 });
    });

    it('is refused with what it holds', async () => {
      // Act
      const problem = await mainJobDatabaseProblem(copy.url);
      // Assess
      expect(problem).toMatch(/already holds 2 documents from an earlier run; the main job starts from empty emulators/u);
      expect(problem).not.toContain(`postgres:${PASSWORD}@`);
    });

    it('makes npm start exit 2 with that message before it creates its work dir', async () => {
      // Prepare
      const parent = mkdtempSync(join(tmpdir(), 'start-refused-'));
      const workDir = join(parent, 'work');
      try {
        // Act
        const outcome = await exec(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--database-url', copy.url, '--work-dir', workDir], { timeout: 60_000 }).then(
          () => ({ code: 0, stderr: '' }),
          (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
        );
        // Assess
        expect(outcome.code).toBe(2);
        expect(outcome.stderr).toMatch(/^npm start: postgres:\/\/127\.0\.0\.1:\d+\/vector_sync_\w+\?sslmode=disable already holds 2 documents from an earlier run/u);
        expect(existsSync(workDir)).toBe(false);
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    });
  });
});
