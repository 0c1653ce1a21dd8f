/**
 * Migration 2: sign-in lockout. Consecutive failed sign-ins per account and the time a locked account
 * opens again, kept in the database so every station process behind a load balancer counts the same
 * failures (docs/station.md, "Accounts").
 */
export const migration002 = {
  version: 2,
  name: "signin-lockout",
  sql: `
ALTER TABLE users ADD COLUMN failed_signins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until timestamptz;
`,
};
