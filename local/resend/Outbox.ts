import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { OutboxMessageSchema } from './outbox-schemas';
import type { OutboxMessage } from './outbox-schemas';
import { renderHtml } from './renderHtml';

const IdSchema = z.uuid();

/** A message read back from the outbox: the JSON record and the HTML file. */
export interface OutboxEntry extends OutboxMessage {
  readonly html: string;
}

/**
 * The folder every accepted message lands in: `<id>.html` (what a reader would see) and
 * `<id>.json` (the message and how it arrived). Files are written under a temporary name and
 * renamed, so a reader never sees half a message; the JSON goes last and marks it complete.
 */
export class Outbox {
  constructor(readonly directory: string) {}

  /** Creates the folder if needed. */
  async open(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
  }

  /** Writes one message. */
  async write(message: OutboxMessage): Promise<void> {
    const id = IdSchema.parse(message.email.id);
    await this.writeAtomically(`${id}.html`, renderHtml(message.email.html, message.email.text));
    await this.writeAtomically(`${id}.json`, `${JSON.stringify(message, null, 2)}\n`);
  }

  /** One message by id, or undefined when there is none (or the id is not a UUID). */
  async read(id: string): Promise<OutboxEntry | undefined> {
    if (!IdSchema.safeParse(id).success) return undefined;
    let json: string;
    try {
      json = await readFile(join(this.directory, `${id}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const message = OutboxMessageSchema.parse(JSON.parse(json));
    const html = await readFile(join(this.directory, `${id}.html`), 'utf8');
    return { ...message, html };
  }

  /** Every complete message, oldest first. */
  async list(): Promise<OutboxEntry[]> {
    const names = await readdir(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const entries: OutboxEntry[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const entry = await this.read(name.slice(0, -'.json'.length));
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => a.email.created_at.localeCompare(b.email.created_at) || (a.metadata.batch_index ?? 0) - (b.metadata.batch_index ?? 0));
  }

  private async writeAtomically(name: string, content: string): Promise<void> {
    const temporary = join(this.directory, `.${name}.tmp`);
    await writeFile(temporary, content, 'utf8');
    await rename(temporary, join(this.directory, name));
  }
}
