import { type Queryable, toIso, toNumber, toStringOrNull } from "./db.js";

/** The fleet table: each car's last status from the bridged `camsync/v1/{vehicleId}/status` topic. */
export interface FleetRow {
  vehicleId: string;
  online: boolean;
  state: string | null;
  eventId: string | null;
  recording: boolean;
  backlog: number | null;
  lastSeen: string;
  status: Record<string, unknown>;
}

export class FleetRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Store a status. An offline status (the car's last will) keeps the last known state and last-seen
   * time; a status older than the stored one is ignored (retained copies replayed after a reconnect).
   */
  async update(row: FleetRow): Promise<void> {
    await this.db.query(
      `INSERT INTO fleet_status (vehicle_id, online, state, event_id, recording, backlog, status, last_seen)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
       ON CONFLICT (vehicle_id) DO UPDATE SET online = EXCLUDED.online,
         state = CASE WHEN EXCLUDED.online THEN EXCLUDED.state ELSE fleet_status.state END,
         event_id = CASE WHEN EXCLUDED.online THEN EXCLUDED.event_id ELSE fleet_status.event_id END,
         recording = EXCLUDED.recording AND EXCLUDED.online,
         backlog = coalesce(EXCLUDED.backlog, fleet_status.backlog),
         status = CASE WHEN EXCLUDED.online THEN EXCLUDED.status ELSE fleet_status.status END,
         last_seen = CASE WHEN EXCLUDED.online THEN EXCLUDED.last_seen ELSE fleet_status.last_seen END
       WHERE NOT EXCLUDED.online OR EXCLUDED.last_seen >= fleet_status.last_seen`,
      [
        row.vehicleId,
        row.online,
        row.state,
        row.eventId,
        row.recording,
        row.backlog,
        JSON.stringify(row.status),
        row.lastSeen,
      ],
    );
  }

  async list(): Promise<FleetRow[]> {
    const rows = await this.db.query("SELECT * FROM fleet_status ORDER BY vehicle_id");
    return rows.map((r) => ({
      vehicleId: String(r.vehicle_id),
      online: r.online === true,
      state: toStringOrNull(r.state),
      eventId: toStringOrNull(r.event_id),
      recording: r.recording === true,
      backlog: r.backlog === null || r.backlog === undefined ? null : toNumber(r.backlog),
      lastSeen: toIso(r.last_seen),
      status: typeof r.status === "object" && r.status !== null ? (r.status as Record<string, unknown>) : {},
    }));
  }
}
