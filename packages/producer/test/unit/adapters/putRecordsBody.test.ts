/**
 * The body we write for PutRecords against the body the installed SDK writes for the same input
 * (its own serialiser, run through a real client): byte for byte, so the service sees exactly
 * what it saw before. If an SDK upgrade changes its member order or escaping, this fails and
 * says so; the JSON would still be equivalent (checked separately).
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import fc from 'fast-check';
import {
  encodePutRecordsBody,
  putRecordsBodyLength,
} from '../../../src/adapters/putRecordsBody.js';
import type { BodyEntry, BodyTarget } from '../../../src/adapters/putRecordsBody.js';
import { captureClient } from '../../fakes/capturingKinesisClient.js';
import { putRecordsInput } from '../../../src/adapters/putRecordsCommand.js';

const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/s"\\1';

/** What the SDK's own serialiser writes for these entries (a plain PutRecordsCommand). */
async function sdkBody(target: BodyTarget, entries: readonly BodyEntry[]): Promise<Buffer> {
  const { client, requests } = captureClient();
  await client.send(new PutRecordsCommand(putRecordsInput(target, entries)));
  const body = requests[0]!.body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

const entry = (partitionKey: string, data: number[] | Uint8Array, ehk?: string): BodyEntry => ({
  partitionKey,
  data: data instanceof Uint8Array ? data : new Uint8Array(data),
  explicitHashKey: ehk,
});

describe('encodePutRecordsBody', () => {
  it.each<[string, BodyTarget, BodyEntry[]]>([
    ['plain keys', { streamName: 's' }, [entry('a', [1, 2, 3]), entry('b', [4])]],
    ['empty data (all base64 paddings)', { streamName: 's' }, [entry('k', []), entry('k', [9, 8])]],
    ['quotes and backslashes', { streamName: 'st"re\\am' }, [entry('a"b\\c/d', [0])]],
    [
      'every control character and DEL',
      { streamName: 's' },
      [entry(Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f', [1])],
    ],
    ['two- and three-byte UTF-8', { streamName: 'é' }, [entry('été ü €, 漢字', [255, 0, 128])]],
    ['astral characters', { streamName: 's' }, [entry('😀𝄞x', [1, 2])]],
    [
      'lone surrogates',
      { streamName: 's' },
      [entry('\ud800x\udc00\ud83d', [1]), entry('\udfff', [])],
    ],
    [
      'explicit hash keys',
      { streamName: 's' },
      [
        entry('a', [1], '0'),
        entry('b', [2]),
        entry('c', [3], '340282366920938463463374607431768211455'),
      ],
    ],
    ['a stream ARN', { streamArn: ARN }, [entry('a', [1])]],
    ['the ARN wins over the name', { streamName: 'ignored', streamArn: ARN }, [entry('a', [1])]],
    ['no records', { streamName: 's' }, []],
    ['a 1 MiB record', { streamName: 's' }, [entry('big', new Uint8Array(1024 * 1024).fill(7))]],
  ])('writes what the SDK writes: %s', async (_name, target, entries) => {
    const ours = Buffer.from(encodePutRecordsBody(target, entries));
    const theirs = await sdkBody(target, entries);
    expect(ours.toString('latin1')).toBe(theirs.toString('latin1'));
    expect(ours.length).toBe(putRecordsBodyLength(target, entries));
  });

  it('writes what the SDK writes for any keys, data and targets', async () => {
    // Keys from any UTF-16 code units (lone surrogates included) and from full Unicode.
    const anyUnits = fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 20,
    });
    const key = fc.oneof(anyUnits, fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }));
    const arbEntry = fc.record({
      partitionKey: key,
      data: fc.uint8Array({ maxLength: 64 }),
      explicitHashKey: fc.option(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map(String), {
        nil: undefined,
      }),
    });
    const target = fc.oneof(
      key.map((streamName): BodyTarget => ({ streamName })),
      key.map((k): BodyTarget => ({ streamArn: `arn:aws:kinesis:us-east-1:1:stream/${k}` })),
    );
    await fc.assert(
      fc.asyncProperty(target, fc.array(arbEntry, { maxLength: 8 }), async (t, entries) => {
        const ours = Buffer.from(encodePutRecordsBody(t, entries));
        const theirs = await sdkBody(t, entries);
        expect(ours.equals(theirs)).toBe(true);
        // And it parses back to the input: equivalent JSON even if the SDK's bytes changed.
        const parsed = JSON.parse(ours.toString('utf8')) as {
          Records: { Data: string; PartitionKey: string; ExplicitHashKey?: string }[];
        };
        expect(
          parsed.Records.map((r) => [Buffer.from(r.Data, 'base64'), r.ExplicitHashKey]),
        ).toEqual(entries.map((e) => [Buffer.from(e.data), e.explicitHashKey]));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['', 2],
    ['abc', 5],
    ['"\\', 6],
    ['\n\x01', 10],
    ['é€😀', 2 + 2 + 3 + 4],
    ['\ud800', 8],
  ])('a key %j counts %i bytes in the body, the UTF-8 length of JSON.stringify', (s, n) => {
    const withKey = putRecordsBodyLength({ streamName: 's' }, [entry(s, [])]);
    const emptyKey = putRecordsBodyLength({ streamName: 's' }, [entry('', [])]);
    expect(withKey - emptyKey + 2).toBe(n);
    expect(Buffer.byteLength(JSON.stringify(s))).toBe(n);
  });
});
