import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { usageError } from '../cli-error';
import type { Command } from '../command';
import { createProgress } from '../progress';
import { parseRepositoryRef } from '../references';

/** `regkit push-blob <repository> [FILE]`. */
export const pushBlobCommand: Command = {
  name: 'push-blob',
  summary: 'upload a file (or stdin) as a blob and print its digest',
  args: '<repository> [FILE]',
  description:
    'Uploads a blob, streamed: the digest is computed as the bytes go, and chunked uploads keep at most two chunks in memory. With --digest, the registry is asked first and nothing is sent when it already has the blob. Reads stdin when FILE is - or absent.',
  arity: { min: 1, max: 2 },
  options: {
    digest: { type: 'string', value: 'DIGEST', help: 'the expected digest: skip the upload if present, refuse other content' },
  },
  examples: [
    'regkit push-blob 127.0.0.1:5000/team/app layer.tar.gz',
    'tar -cz dir | regkit push-blob 127.0.0.1:5000/team/app --json',
  ],
  json: '{ repository, digest, size }',
  async run(context) {
    const ref = parseRepositoryRef(context.positionals[0] as string);
    context.subject = ref.canonical;
    const file = context.positionals[1];
    const fromStdin = file === undefined || file === '-';
    if (fromStdin && context.io.stdin.isTTY === true)
      throw usageError('push-blob reads the blob from stdin, which is a terminal', 'give a FILE, or pipe the content in');
    if (fromStdin && context.options.passwordStdin)
      throw usageError('stdin cannot carry both the password and the blob', 'give a FILE, or use REGKIT_PASSWORD');
    const size = fromStdin ? undefined : (await stat(file)).size;
    const registry = await context.registry(ref.domain);
    const progress = await createProgress(context.io, context.out);
    context.onClose(async () => progress.stop());
    const task = progress.start(fromStdin ? 'stdin' : file, size);
    const stream = fromStdin ? context.io.stdin : createReadStream(file);
    const digest = context.string('digest');
    const uploaded = await registry
      .repository(ref.repository)
      .blobs()
      .upload(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
        ...(size !== undefined && { size }),
        ...(digest !== undefined && { digest }),
        onProgress: ({ done, total }) => task.update(done, total),
      });
    task.update(uploaded.size, uploaded.size);
    task.finish();
    progress.stop();
    if (context.out.json) await context.out.document({ repository: ref.canonical, digest: uploaded.digest, size: uploaded.size });
    else await context.out.line(uploaded.digest);
  },
};
