import { transportContract } from '@regkit/testing/contract';
import { describe, expect, it } from 'vitest';
import { createHttpTransport } from './http-transport';

transportContract({ describe, it, expect, name: 'node:http (the CLI transport)', createTransport: () => createHttpTransport() });
