// Placeholder until the emulator harness lands: integration tests start the emulators here.
export default function globalSetup(): void {}
