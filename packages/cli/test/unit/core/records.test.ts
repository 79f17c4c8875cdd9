import {
  InputError,
  asText,
  formatRecordJson,
  formatRecordLine,
  parseInputRecord,
} from '../../../src/core/records.js';

const plain = { json: false, partitionKey: undefined };
const json = { json: true, partitionKey: undefined };
const key = (): string => 'random-key';

describe('parseInputRecord', () => {
  it('sends a plain line as is, with the given or a random key', () => {
    expect(parseInputRecord('hello', 1, plain, key)).toEqual({
      partitionKey: 'random-key',
      data: 'hello',
    });
    expect(parseInputRecord('hello', 1, { json: false, partitionKey: 'k' }, key)).toEqual({
      partitionKey: 'k',
      data: 'hello',
    });
  });

  it('reads JSON lines: string data, object data as JSON text, base64, explicit hash key', () => {
    expect(parseInputRecord('{"partitionKey":"a","data":"x"}', 1, json, key)).toEqual({
      partitionKey: 'a',
      data: 'x',
    });
    expect(parseInputRecord('{"partitionKey":"a","data":{"n":1}}', 1, json, key).data).toBe(
      '{"n":1}',
    );
    expect(
      Buffer.from(parseInputRecord('{"partitionKey":"a","dataBase64":"AAEC"}', 1, json, key).data),
    ).toEqual(Buffer.from([0, 1, 2]));
    expect(parseInputRecord('{"data":"x","explicitHashKey":"7"}', 1, json, key)).toEqual({
      partitionKey: 'random-key',
      data: 'x',
      explicitHashKey: '7',
    });
  });

  it.each([
    ['not json', 'line 4: not JSON'],
    ['[1]', 'line 4: expected an object'],
    ['{"partitionKey":3,"data":"x"}', 'line 4: partitionKey must be a string'],
    ['{"partitionKey":"a"}', 'line 4: data (or dataBase64) is required'],
    ['{"data":"x","explicitHashKey":7}', 'line 4: explicitHashKey must be a decimal string'],
  ])('rejects %s', (line, message) => {
    expect(() => parseInputRecord(line, 4, json, key)).toThrow(InputError);
    expect(() => parseInputRecord(line, 4, json, key)).toThrow(message);
  });
});

describe('tail output', () => {
  const record = {
    shardId: 'shardId-000000000001',
    sequenceNumber: '4965',
    subSequenceNumber: 2,
    aggregated: true,
    partitionKey: 'k',
    data: Buffer.from('héllo'),
    approximateArrivalTimestamp: new Date('2024-05-01T12:00:00Z'),
  };

  it('prints text as text and binary as base64', () => {
    expect(formatRecordLine(record)).toBe('shardId-000000000001 4965/2 k héllo');
    expect(formatRecordLine({ ...record, aggregated: false, data: Buffer.from([0, 255]) })).toBe(
      'shardId-000000000001 4965 k base64:AP8=',
    );
    expect(asText(Buffer.from('tab\tok\n'))).toBe('tab\tok\n');
    expect(asText(Buffer.from([0x41, 0x07]))).toBeUndefined();
  });

  it('prints JSON with data or dataBase64', () => {
    expect(JSON.parse(formatRecordJson(record))).toEqual({
      shardId: 'shardId-000000000001',
      sequenceNumber: '4965',
      subSequenceNumber: 2,
      aggregated: true,
      partitionKey: 'k',
      approximateArrivalTimestamp: '2024-05-01T12:00:00.000Z',
      data: 'héllo',
    });
    const binary = JSON.parse(formatRecordJson({ ...record, data: Buffer.from([0xff]) })) as Record<
      string,
      unknown
    >;
    expect(binary.dataBase64).toBe('/w==');
    expect(binary.data).toBeUndefined();
  });
});
