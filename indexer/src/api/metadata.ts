/**
 * The API's metadata store (src/metadata.ts): Datanets' metadata fetched in the background. A sweep every
 * two seconds queues the CIDs of indexed Datanets, so metadata is usually there before anyone asks.
 */
import { db } from "ponder:api";
import { datanet } from "ponder:schema";
import { createMetadataStore } from "../metadata";
import { metadataSettings } from "../settings";

const SWEEP_MS = 2_000;

export const metadata = createMetadataStore(metadataSettings());

setInterval(() => {
  void db
    .selectDistinct({ cid: datanet.metadataCid })
    .from(datanet)
    .then((rows) => {
      for (const row of rows) metadata.want(row.cid);
    })
    .catch(() => {}); // the next sweep tries again
}, SWEEP_MS).unref();
