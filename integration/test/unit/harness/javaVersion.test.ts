import { parseJavaMajorVersion } from '../../../src/harness/dynamoDB.js';

describe('parseJavaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"\nJava(TM) SE Runtime Environment', 8],
    ['openjdk version "11.0.2" 2019-01-15', 11],
    ['Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "17.0.1"', 17],
    ['no version here', undefined],
  ])('parses %j as %p', (output, expected) => {
    expect(parseJavaMajorVersion(output)).toBe(expected);
  });
});
