import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { usageError } from '../cli-error';
import type { Command } from '../command';
import { createProgress } from '../progress';
import { parseBlobRef } from '../references';

/** `regkit blob <repo@digest> [-o FILE]`. */
export const blobCommand: Command = {
  name: 'blob',
  summary: 'download a blob, streamed and verified against its digest',
  args: '<repository@digest>',
  description:
    'Streams a blob (layer or config) to stdout or to a file, verifying it against its digest as it flows, in constant memory. A dropped connection is resumed with a Range request where the registry allows it. With -o, the file appears only once the digest checked out.',
  arity: { min: 1, max: 1 },
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write the blob to FILE instead of stdout' },
  },
  examples: ['regkit blob 127.0.0.1:5000/library/hello@sha256:… -o layer.tar.gz', 'regkit blob golang@sha256:… | tar -tz'],
  json: '{ repository, digest, size, output } (needs -o: the blob itself would be on stdout)',
  async run(context) {
    const { domain, repository, digest } = parseBlobRef(context.positionals[0] as string);
    context.subject = `${domain}/${repository}@${digest}`;
    const file = context.string('output');
    if (file === undefined && context.out.json)
      throw usageError('--json needs -o FILE', 'the blob itself goes to stdout otherwise');
    if (file === undefined && context.io.stdout.isTTY === true) {
      throw usageError('refusing to write a blob to the terminal', 'add -o FILE, or redirect stdout');
    }
    const registry = await context.registry(domain);
    const progress = await createProgress(context.io, context.out);
    context.onClose(async () => progress.stop());
    const label = `${digest.slice(0, 19)}`;
    let task: ReturnType<typeof progress.start> | undefined;
    let received = 0;
    const download = await registry
      .repository(repository)
      .blobs()
      .get(digest, {
        onProgress: ({ done, total }) => {
          received = done;
          task?.update(done, total);
        },
      });
    task = progress.start(label, download.size);
    const partial = file === undefined ? undefined : `${file}.partial`;
    const sink: Writable = partial === undefined ? context.io.stdout : createWriteStream(partial);
    try {
      await copy(download.body, sink, partial !== undefined);
    } catch (error) {
      if (partial !== undefined) await rm(partial, { force: true });
      throw error;
    }
    if (partial !== undefined && file !== undefined) await rename(partial, file);
    task.finish();
    progress.stop();
    if (context.out.json) {
      await context.out.document({
        repository: `${registry.domain}/${repository}`,
        digest,
        size: received,
        output: file ?? null,
      });
    }
  },
};

/** Copies with backpressure; the file is closed (flushed) before it is renamed into place. */
async function copy(body: ReadableStream<Uint8Array>, sink: Writable, close: boolean): Promise<void> {
  let sinkError: Error | undefined;
  const onError = (error: Error) => {
    sinkError = error;
  };
  sink.on('error', onError);
  const reader = body.getReader();
  try {
    for (;;) {
      const { done: end, value: chunk } = await reader.read();
      if (end) break;
      if (sinkError !== undefined) throw sinkError;
      if (!sink.write(chunk)) {
        await new Promise<void>((resolve, reject) => {
          const done = () => {
            sink.off('error', fail);
            resolve();
          };
          const fail = (error: Error) => {
            sink.off('drain', done);
            reject(error);
          };
          sink.once('drain', done);
          sink.once('error', fail);
        });
      }
    }
    if (close)
      await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (sinkError !== undefined) throw sinkError;
  } finally {
    sink.off('error', onError);
    if (close && !sink.writableFinished) sink.destroy();
  }
}
