import 'reflect-metadata';

// Integration tests talk to real servers; give them room without hiding hangs for minutes.
jest.setTimeout(60_000);
