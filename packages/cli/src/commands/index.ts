import type { Command } from '../command';
import { blobCommand } from './blob';
import { catalogCommand } from './catalog';
import { configCommand } from './config';
import { copyCommand } from './copy';
import { deleteCommand } from './delete';
import { digestCommand } from './digest';
import { inspectCommand } from './inspect';
import { loginCommand } from './login';
import { logoutCommand } from './logout';
import { manifestCommand } from './manifest';
import { pushBlobCommand } from './push-blob';
import { ratelimitCommand } from './ratelimit';
import { serveCommand } from './serve';
import { tagCommand } from './tag';
import { tagsCommand } from './tags';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  inspectCommand,
  digestCommand,
  manifestCommand,
  configCommand,
  tagsCommand,
  catalogCommand,
  blobCommand,
  ratelimitCommand,
  copyCommand,
  tagCommand,
  deleteCommand,
  pushBlobCommand,
  loginCommand,
  logoutCommand,
  serveCommand,
];
