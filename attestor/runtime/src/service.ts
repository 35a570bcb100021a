/**
 * What every attestor service is: its HTTP routes (a Hono sub-app, composed with the others by
 * `server.ts`), the SQL migrations of the tables it owns, and its background work.
 */
import type { HttpBindings } from "@hono/node-server";
import type { Hono } from "hono";
import type { Migration } from "./db.js";

/** Routes run on @hono/node-server: streaming answers write to the Node response (`c.env.outgoing`). */
export type AppEnv = { Bindings: HttpBindings };

export type Service = {
  routes: Hono<AppEnv>;
  migrations: readonly Migration[];
  /** Starts the service's background loops; routes answer before it is called. */
  start: () => void;
  /** Stops them and waits for work in flight. */
  stop: () => Promise<void>;
};
